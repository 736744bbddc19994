#!/bin/sh
# build-modules.sh WAT2WASM SRC_DIR OUT_DIR
#
# Builds the modules the inspect tests look at: every SRC_DIR/*.wat through
# wat2wasm into OUT_DIR, then appends custom sections, which the text format
# cannot express: each file SRC_DIR/custom/STEM/NAME becomes a custom section
# named NAME (its content the file's bytes) at the end of STEM.wasm.
set -eu

if [ $# -ne 3 ]; then
    echo "usage: $0 WAT2WASM SRC_DIR OUT_DIR" >&2
    exit 2
fi
wat2wasm=$1
src=$2
out=$3

# Writes n as an unsigned LEB128, the integer encoding of the binary format.
write_uleb() {
    n=$1
    while :; do
        byte=$((n % 128))
        n=$((n / 128))
        if [ "$n" -gt 0 ]; then byte=$((byte + 128)); fi
        # shellcheck disable=SC2059 # the format is the escaped byte itself
        printf "\\$(printf '%03o' "$byte")"
        if [ "$n" -eq 0 ]; then break; fi
    done
}

# append_custom_section MODULE NAME PAYLOAD_FILE
append_custom_section() {
    body=$(mktemp)
    {
        write_uleb "$(printf '%s' "$2" | wc -c)"
        printf '%s' "$2"
        cat "$3"
    } >"$body"
    {
        printf '\000' # section id 0: custom
        write_uleb "$(($(wc -c <"$body")))"
        cat "$body"
    } >>"$1"
    rm -f "$body"
}

mkdir -p "$out"
for wat in "$src"/*.wat; do
    stem=$(basename "$wat" .wat)
    "$wat2wasm" "$wat" -o "$out/$stem.wasm"
    if [ -d "$src/custom/$stem" ]; then
        for section in "$src/custom/$stem"/*; do
            append_custom_section "$out/$stem.wasm" "$(basename "$section")" "$section"
        done
    fi
done
echo "built $(ls "$out"/*.wasm | wc -l) modules in $out"
