#!/usr/bin/env bash
# gen-certs.sh DIR — test certificates, made with openssl at test time (never checked in):
#   ca.crt/ca.key           the CA kube-apiserver would be given (caBundle)
#   server.crt/server.key   signed by ca, SAN localhost and 127.0.0.1 (what the server presents)
#   client.crt/client.key   signed by ca (an apiserver client certificate, for mTLS)
#   rogue-ca.crt, rogue.crt/rogue.key  a client certificate from a CA the server does not trust
# Idempotent: an existing complete set is kept.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
if [ -s rogue.crt ] && [ -s server.crt ] && [ -s client.crt ]; then exit 0; fi

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # ca NAME SUBJECT
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -sha256 -days 2 -subj "$2" -out "$1.crt" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

leaf() { # leaf NAME CA SUBJECT EXTFILE-TEXT
    key "$1.key"
    openssl req -new -key "$1.key" -subj "$3" -out "$1.csr"
    printf '%s\n' "$4" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -sha256 \
        -days 2 -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

ca ca "/CN=wasmgate test CA"
leaf server ca "/CN=localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth
keyUsage=critical,digitalSignature"
leaf client ca "/CN=kube-apiserver" "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
ca rogue-ca "/CN=some other CA"
leaf rogue rogue-ca "/CN=intruder" "extendedKeyUsage=clientAuth
keyUsage=critical,digitalSignature"
echo "gen-certs.sh: certificates in $dir"
