#!/usr/bin/env bash
# scripts/demo.sh — installs what is needed, builds, and runs the main job:
# `wasmgate serve` with the bundled example modules (examples/, built by the
# build) on its embedded default configuration, with a self-signed
# certificate generated at start. It prints how to send it a request; stop it
# with Ctrl-C.
#
# Environment: WASMGATE_LISTEN (default 127.0.0.1:8443) is passed as --listen.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/deps.sh
scripts/build.sh build

exec build/src/cli/wasmgate serve --modules build/examples ${WASMGATE_LISTEN:+--listen "$WASMGATE_LISTEN"}
