/*
 * tls.h — the server's TLS material: the serving certificate and key (read from the
 * configured files, or a self-signed pair generated in memory when none is configured), the
 * optional client CA, and verifying a client's certificate against that CA.
 */
#ifndef WG_SERVER_TLS_H
#define WG_SERVER_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <gnutls/gnutls.h>

#include "config.h"

typedef struct wgsrv_tls {
    char *cert_pem; /* NUL-terminated PEM, as MHD wants them */
    char *key_pem;
    char *ca_pem; /* NULL: client certificates are not requested */
    bool self_signed;
    char *tmp_dir;          /* self-signed only: where the certificate was written */
    char *self_signed_cert; /* ... and its path, for `curl --cacert` */
} wgsrv_tls;

/*
 * Loads (or generates) the material a configuration asks for and checks it: the key must
 * match the certificate, the CA file must hold at least one certificate. Errors name the
 * file and the field ("server.tls.keyFile: /etc/tls.key: the key does not match ...").
 */
bool wgsrv_tls_load(const wgsrv_config *cfg, wgsrv_tls *tls, char *err, size_t errsz);

/* Frees the material and removes the temporary directory of a self-signed certificate. */
void wgsrv_tls_clear(wgsrv_tls *tls);

/* Generates an ECDSA P-256 key and a self-signed certificate valid for a year for
 * localhost, 127.0.0.1, ::1 and this host's name. PEM texts are malloc'd. */
bool wgsrv_tls_self_signed(char **cert_pem, char **key_pem, char *err, size_t errsz);

/* Checks the peer certificate of an established session against the trusted CA (which MHD
 * installed from ca_pem). Returns false with the reason ("no client certificate", "the
 * certificate is not signed by the client CA", ...). */
bool wgsrv_tls_verify_client(gnutls_session_t session, char *why, size_t whysz);

#endif /* WG_SERVER_TLS_H */
