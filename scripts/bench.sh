#!/usr/bin/env bash
# scripts/bench.sh — the engine benchmarks in one command: configures a Release build (-O2) in
# build-bench/, builds wgbench with its kernels, and runs it. Arguments go to wgbench, e.g.
#   scripts/bench.sh                  # everything (about a minute at 10x)
#   scripts/bench.sh --filter json    # one kernel
#   scripts/bench.sh --quick          # check that it all runs; timings not meaningful
#   scripts/bench.sh --json > out.json
# Set WG_BENCH_BUILD_DIR to build elsewhere, and CC to choose the compiler of the engine and
# runner (the kernels are always built by clang). See bench/README.md for how to read the output.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${WG_BENCH_BUILD_DIR:-$root/build-bench}

missing=()
for tool in cmake ninja clang wat2wasm; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ! command -v wasm-ld >/dev/null && ! compgen -G '/usr/bin/wasm-ld-*' >/dev/null; then
  missing+=(wasm-ld)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench.sh: missing ${missing[*]}; on Debian: apt-get install -y cmake ninja-build clang lld wabt" >&2
  exit 1
fi

# Release with -O2 rather than CMake's default -O3: the level the project ships, and the level
# the kernels are built at on both sides of the comparison. Tests are not needed to benchmark.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DWG_BUILD_BENCH=ON -DWG_BUILD_TESTS=OFF >/dev/null
ninja -C "$build" wgbench >&2
exec "$build/bench/wgbench" "$@"
