#!/usr/bin/env bash
# bench/verify_kernels.sh — checks the benchmark kernels without the wasmgate engine: for each
# kernel and each small n, the native build and the wasm32 build (run by wabt's wasm-interp, an
# independent reference interpreter) must return the same checksum, and the native build must
# give the same answer twice. Run it after changing a kernel.
#
# Usage: bench/verify_kernels.sh [--sanitize] [N ...]     (default N: 0 1 3)
#   --sanitize   build the native side with -fsanitize=address,undefined (needs clang's runtime)
#
# The wasm flags mirror WG_BENCH_WASM_FLAGS in bench/CMakeLists.txt; keep the two in step.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sanitize=()
counts=()
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=("-fsanitize=address,undefined" -fno-sanitize-recover=all -g) ;;
    *[!0-9]* | '') echo "usage: $0 [--sanitize] [N ...]" >&2; exit 2 ;;
    *) counts+=("$arg") ;;
  esac
done
[ ${#counts[@]} -gt 0 ] || counts=(0 1 3)

for tool in clang wasm-interp; do
  command -v "$tool" >/dev/null || { echo "$0: needs $tool (Debian: apt-get install clang lld wabt)" >&2; exit 1; }
done

# The kernel list lives in one place: bench/CMakeLists.txt.
read -r -a kernels <<<"$(sed -n 's/^set(WG_BENCH_KERNELS \(.*\))$/\1/p' "$here/CMakeLists.txt")"
[ ${#kernels[@]} -gt 0 ] || { echo "$0: no WG_BENCH_KERNELS in bench/CMakeLists.txt" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

common=(-std=c11 -O2 -ffp-contract=off -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
        -Wmissing-prototypes)
wasm=(--target=wasm32 "${common[@]}" -mbulk-memory -msign-ext -mnontrapping-fptoint -nostdlib
      "-Wl,--no-entry" "-Wl,--export=run" "-Wl,--export=check" "-Wl,-z,stack-size=262144")

# wasm-interp can only call exports without arguments, so each wasm build gets a
# check() export that calls run(CHECK_N); the native build gets a main() that prints it.
cat >"$work/check_wasm.c" <<'EOF'
#include <stdint.h>
uint32_t run(uint32_t n);
uint32_t check(void);
uint32_t check(void) { return run(CHECK_N); }
EOF
cat >"$work/check_native.c" <<'EOF'
#include <stdint.h>
#include <stdio.h>
uint32_t run(uint32_t n);
int main(void)
{
    uint32_t first = run(CHECK_N), second = run(CHECK_N);
    printf("%u\n", first);
    return first == second ? 0 : 1;
}
EOF

failures=0
for kernel in "${kernels[@]}"; do
  src="$here/kernels/$kernel.c"
  for n in "${counts[@]}"; do
    clang "${common[@]}" "${sanitize[@]}" -DCHECK_N="$n" "$src" "$work/check_native.c" \
      -o "$work/native"
    clang "${wasm[@]}" -DCHECK_N="$n" "$src" "$work/check_wasm.c" -o "$work/kernel.wasm"
    if ! native=$("$work/native"); then
      echo "FAIL $kernel n=$n: native result differs between two calls" >&2
      failures=$((failures + 1))
      continue
    fi
    # wasm-interp prints "check() => i32:VALUE", VALUE signed or unsigned by version.
    out=$(wasm-interp "$work/kernel.wasm" --run-all-exports)
    value=$(sed -n 's/^check() => i32:\(-\{0,1\}[0-9]*\)$/\1/p' <<<"$out")
    if [ -z "$value" ]; then
      echo "FAIL $kernel n=$n: wasm-interp said: $out" >&2
      failures=$((failures + 1))
      continue
    fi
    value=$(( (value + 4294967296) % 4294967296 ))
    if [ "$value" != "$native" ]; then
      printf 'FAIL %-8s n=%-4s native %08x  wasm-interp %08x\n' "$kernel" "$n" "$native" "$value"
      failures=$((failures + 1))
    else
      printf 'ok   %-8s n=%-4s %08x\n' "$kernel" "$n" "$native"
    fi
  done
done

if [ "$failures" -ne 0 ]; then
  echo "$failures mismatch(es)" >&2
  exit 1
fi
echo "all kernels: native and wasm-interp checksums match"
