#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] — builds the engine fuzz target (fuzz/, clang +
# libFuzzer + ASan/UBSan) into build-fuzz/ and runs it for SECONDS (default
# 60) on a seed corpus of the project's own test modules: the .wasm files
# wast2json makes from tests/wast/*.wast and tests/cli/spectest/*.wast, plus
# any .wasm under tests/ and build*/tests/. Exits non-zero if the fuzzer
# finds a crash, a leak, a timeout or an out-of-memory; the input that did it
# is saved under build-fuzz/artifacts/.
#
# Environment: FUZZ_MAX_LEN (largest input in bytes, default 65536).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
    echo "usage: scripts/fuzz.sh [SECONDS]   (SECONDS must be a positive integer, got '$seconds')" >&2
    exit 2
fi
build=build-fuzz
corpus=fuzz/corpus-run # scratch, git-ignored: libFuzzer adds what it finds here
artifacts=$build/artifacts

for tool in clang cmake ninja wast2json; do
    if ! command -v "$tool" >/dev/null; then
        echo "fuzz.sh: '$tool' is not installed (run scripts/deps.sh)" >&2
        exit 1
    fi
done

echo "==> building the fuzz target in $build/"
cmake -S fuzz -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang >/dev/null
cmake --build "$build"

echo "==> collecting the seed corpus in $corpus/"
rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
shopt -s nullglob
for wast in tests/wast/*.wast tests/cli/spectest/*.wast; do
    stem=$(basename "$wast" .wast)
    mkdir -p "$scratch/$stem"
    # A script wast2json cannot convert just contributes no seeds.
    wast2json --enable-all --no-check "$wast" -o "$scratch/$stem/$stem.json" >/dev/null 2>&1 || true
done
seeds=0
while IFS= read -r -d '' wasm; do
    # Name seeds by content, as libFuzzer does, so duplicates collapse.
    cp "$wasm" "$corpus/$(sha1sum <"$wasm" | cut -c1-40)"
    seeds=$((seeds + 1))
done < <(find "$scratch" tests build*/tests -name '*.wasm' -type f -print0 2>/dev/null)
# The smallest valid module, so even an empty tree gives the fuzzer a start.
printf '\0asm\1\0\0\0' >"$corpus/empty-module"
echo "    $seeds seed modules ($(ls "$corpus" | wc -l) distinct)"

echo "==> fuzzing for ${seconds}s"
status=0
"$build/fuzz_engine" \
    -max_total_time="$seconds" \
    -max_len="${FUZZ_MAX_LEN:-65536}" \
    -timeout=25 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -artifact_prefix="$artifacts/" \
    "$corpus" || status=$?

if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: the fuzzer found a problem (exit status $status); reproduce with:" >&2
    for f in "$artifacts"/*; do
        [ -e "$f" ] && echo "    $build/fuzz_engine $f" >&2
    done
    exit 1
fi
echo "fuzz.sh: no crash in ${seconds}s"
