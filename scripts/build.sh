#!/usr/bin/env bash
# scripts/build.sh [BUILD_DIR] [CMAKE_ARGS...] — configures (CMake + Ninja)
# and builds wasmgate into BUILD_DIR (default build/). Extra arguments go to
# CMake, e.g.
#   scripts/build.sh build-asan -DCMAKE_C_COMPILER=clang -DWG_SANITIZE=ON
# BUILD_TYPE (default RelWithDebInfo) sets CMAKE_BUILD_TYPE.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

dir=build
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
    dir=$1
    shift
fi

cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@"
cmake --build "$dir" -j "$(nproc)"
echo "build.sh: built $dir/ (the CLI is $dir/src/cli/wasmgate)"
