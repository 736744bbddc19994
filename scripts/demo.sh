#!/usr/bin/env bash
# scripts/demo.sh — installs what is needed, builds, and runs the main job.
#
# For now the main job is the CLI that exists: `wasmgate inspect` on a
# Kubewarden-style policy module, and `wasmgate spectest` on one of the
# project's WebAssembly test scripts. (When the webhook server lands, this
# becomes `wasmgate serve`.)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/deps.sh
scripts/build.sh build

wasmgate=build/src/cli/wasmgate
demo=build/demo
mkdir -p "$demo"

echo
echo "==> wasmgate inspect: a Kubewarden (waPC) policy module with metadata"
# The inspect tests' modules, built from .wat (custom sections appended).
sh tests/cli/inspect/build-modules.sh wat2wasm tests/cli/inspect "$demo" >/dev/null
"$wasmgate" inspect "$demo/kubewarden.wasm"

echo
echo "==> wasmgate inspect: a k8s-wasm module"
"$wasmgate" inspect "$demo/k8s-wasm.wasm"

# One of the project's own spec-style scripts, converted by the build.
shopt -s nullglob
scripts=(tests/wast/*.wast)
if [ ${#scripts[@]} -gt 0 ]; then
    stem=$(basename "${scripts[0]}" .wast)
    [ -e tests/wast/i32.wast ] && stem=i32
    json=build/tests/wast/$stem.json
    title="tests/wast/$stem.wast"
else
    json=build/tests/cli/spectest/commands.json
    title="tests/cli/spectest/commands.wast"
fi
echo
echo "==> wasmgate spectest: $title"
"$wasmgate" spectest "$json"
