/*
 * tls.c — TLS material and client certificate checks (see tls.h), with GnuTLS, the library
 * libmicrohttpd itself uses.
 */
#include "tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/x509.h>

static char *read_text_file(const char *path, const char *field, char *err, size_t errsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsz, "%s: %s: cannot open: %s", field, path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > 16u * 1024 * 1024) {
                snprintf(err, errsz, "%s: %s: larger than 16 MiB", field, path);
                free(buf);
                fclose(f);
                return NULL;
            }
            char *grown = realloc(buf, cap);
            if (!grown) {
                snprintf(err, errsz, "%s: out of memory", field);
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(err, errsz, "%s: %s: cannot read", field, path);
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static bool write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    chmod(path, mode);
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

static char *datum_text(gnutls_datum_t *d)
{
    char *s = malloc(d->size + 1);
    if (s) {
        memcpy(s, d->data, d->size);
        s[d->size] = '\0';
    }
    gnutls_free(d->data);
    d->data = NULL;
    return s;
}

bool wgsrv_tls_self_signed(char **cert_pem, char **key_pem, char *err, size_t errsz)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t d = {NULL, 0};
    int rc;
    const char *step = "";
    *cert_pem = *key_pem = NULL;

#define TRY(what, call)                   \
    do {                                  \
        step = what;                      \
        if ((rc = (call)) < 0) goto fail; \
    } while (0)

    TRY("key", gnutls_x509_privkey_init(&key));
    TRY("key generation",
        gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
    TRY("certificate", gnutls_x509_crt_init(&crt));
    TRY("version", gnutls_x509_crt_set_version(crt, 3));
    unsigned char serial[16];
    TRY("serial", gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial));
    serial[0] &= 0x7f; /* a positive INTEGER */
    TRY("serial", gnutls_x509_crt_set_serial(crt, serial, sizeof serial));
    time_t now = time(NULL);
    TRY("activation", gnutls_x509_crt_set_activation_time(crt, now - 3600));
    TRY("expiration", gnutls_x509_crt_set_expiration_time(crt, now + 365 * 24 * 3600));
    TRY("subject", gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                                 "wasmgate (self-signed)", 22));
    TRY("subject alt name", gnutls_x509_crt_set_subject_alt_name(
                                crt, GNUTLS_SAN_DNSNAME, "localhost", 9, GNUTLS_FSAN_APPEND));
    char host[256];
    if (gethostname(host, sizeof host) == 0) {
        host[sizeof host - 1] = '\0';
        if (host[0] && strcmp(host, "localhost") != 0)
            TRY("subject alt name",
                gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, host,
                                                     (unsigned)strlen(host), GNUTLS_FSAN_APPEND));
    }
    static const unsigned char v4[4] = {127, 0, 0, 1};
    static const unsigned char v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    TRY("subject alt name",
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v4, 4, GNUTLS_FSAN_APPEND));
    TRY("subject alt name", gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, v6, 16,
                                                                 GNUTLS_FSAN_APPEND));
    /* Its own CA: clients are told to trust exactly this certificate (curl --cacert, a
     * webhook caBundle), and some verifiers only accept CA certificates as anchors. */
    TRY("basic constraints", gnutls_x509_crt_set_basic_constraints(crt, 1, 0));
    TRY("key usage", gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
                                                            GNUTLS_KEY_KEY_CERT_SIGN));
    TRY("extended key usage",
        gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0));
    TRY("public key", gnutls_x509_crt_set_key(crt, key));
    TRY("signature", gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0));
    TRY("certificate export", gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d));
    *cert_pem = datum_text(&d);
    TRY("key export", gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &d));
    *key_pem = datum_text(&d);
#undef TRY
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    if (!*cert_pem || !*key_pem) {
        free(*cert_pem);
        free(*key_pem);
        *cert_pem = *key_pem = NULL;
        snprintf(err, errsz, "self-signed certificate: out of memory");
        return false;
    }
    return true;

fail:
    snprintf(err, errsz, "self-signed certificate: %s: %s", step, gnutls_strerror(rc));
    if (crt) gnutls_x509_crt_deinit(crt);
    if (key) gnutls_x509_privkey_deinit(key);
    free(*cert_pem);
    *cert_pem = NULL;
    return false;
}

bool wgsrv_tls_load(const wgsrv_config *cfg, wgsrv_tls *tls, char *err, size_t errsz)
{
    memset(tls, 0, sizeof *tls);
    if (cfg->cert_file) {
        tls->cert_pem = read_text_file(cfg->cert_file, "server.tls.certFile", err, errsz);
        if (!tls->cert_pem) goto fail;
        tls->key_pem = read_text_file(cfg->key_file, "server.tls.keyFile", err, errsz);
        if (!tls->key_pem) goto fail;
    } else {
        if (!wgsrv_tls_self_signed(&tls->cert_pem, &tls->key_pem, err, errsz)) goto fail;
        tls->self_signed = true;
        /* Written out so that a person can point curl at it; the key stays in memory. */
        char tmpl[] = "/tmp/wasmgate-XXXXXX";
        const char *base = getenv("TMPDIR");
        char path[4096];
        snprintf(path, sizeof path, "%s/wasmgate-XXXXXX", base && *base ? base : "/tmp");
        char *dir = mkdtemp(path);
        if (!dir) dir = mkdtemp(tmpl);
        if (dir) {
            size_t n = strlen(dir) + 16;
            tls->tmp_dir = malloc(strlen(dir) + 1);
            tls->self_signed_cert = malloc(n);
            if (tls->tmp_dir && tls->self_signed_cert) {
                strcpy(tls->tmp_dir, dir);
                snprintf(tls->self_signed_cert, n, "%s/tls.crt", dir);
                if (!write_file(tls->self_signed_cert, tls->cert_pem, 0644)) {
                    free(tls->self_signed_cert);
                    tls->self_signed_cert = NULL;
                }
            }
        }
    }
    if (cfg->client_ca_file) {
        tls->ca_pem = read_text_file(cfg->client_ca_file, "server.tls.clientCAFile", err, errsz);
        if (!tls->ca_pem) goto fail;
    }

    /* Check what MHD will be given now, with messages naming the files; MHD itself would
     * only say that the daemon failed to start. */
    gnutls_certificate_credentials_t creds;
    if (gnutls_certificate_allocate_credentials(&creds) < 0) {
        snprintf(err, errsz, "server.tls: out of memory");
        goto fail;
    }
    gnutls_datum_t c = {(unsigned char *)tls->cert_pem, (unsigned)strlen(tls->cert_pem)};
    gnutls_datum_t k = {(unsigned char *)tls->key_pem, (unsigned)strlen(tls->key_pem)};
    int rc = gnutls_certificate_set_x509_key_mem(creds, &c, &k, GNUTLS_X509_FMT_PEM);
    if (rc < 0) {
        snprintf(err, errsz,
                 "server.tls: %s / %s: %s (is it a PEM certificate and the PEM "
                 "private key that belongs to it?)",
                 cfg->cert_file ? cfg->cert_file : "(self-signed)",
                 cfg->key_file ? cfg->key_file : "(self-signed)", gnutls_strerror(rc));
        gnutls_certificate_free_credentials(creds);
        goto fail;
    }
    if (tls->ca_pem) {
        gnutls_datum_t a = {(unsigned char *)tls->ca_pem, (unsigned)strlen(tls->ca_pem)};
        rc = gnutls_certificate_set_x509_trust_mem(creds, &a, GNUTLS_X509_FMT_PEM);
        if (rc <= 0) {
            snprintf(err, errsz, "server.tls.clientCAFile: %s: %s", cfg->client_ca_file,
                     rc < 0 ? gnutls_strerror(rc) : "no PEM certificate found");
            gnutls_certificate_free_credentials(creds);
            goto fail;
        }
    }
    gnutls_certificate_free_credentials(creds);
    return true;

fail:
    wgsrv_tls_clear(tls);
    return false;
}

void wgsrv_tls_clear(wgsrv_tls *tls)
{
    if (tls->self_signed_cert) unlink(tls->self_signed_cert);
    if (tls->tmp_dir) rmdir(tls->tmp_dir);
    free(tls->cert_pem);
    if (tls->key_pem) {
        /* The private key should not linger in freed memory. */
        volatile char *p = tls->key_pem;
        while (*p)
            *p++ = 0;
    }
    free(tls->key_pem);
    free(tls->ca_pem);
    free(tls->tmp_dir);
    free(tls->self_signed_cert);
    memset(tls, 0, sizeof *tls);
}

bool wgsrv_tls_verify_client(gnutls_session_t session, char *why, size_t whysz)
{
    unsigned int status = 0;
    unsigned int n = 0;
    if (!gnutls_certificate_get_peers(session, &n) || n == 0) {
        snprintf(why, whysz,
                 "no client certificate was presented (server.tls.clientCAFile "
                 "requires one)");
        return false;
    }
    int rc = gnutls_certificate_verify_peers2(session, &status);
    if (rc < 0) {
        snprintf(why, whysz, "the client certificate could not be verified: %s",
                 gnutls_strerror(rc));
        return false;
    }
    if (status != 0) {
        gnutls_datum_t text = {NULL, 0};
        if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0) {
            snprintf(why, whysz, "the client certificate was rejected: %.*s", (int)text.size,
                     (const char *)text.data);
            gnutls_free(text.data);
        } else {
            snprintf(why, whysz, "the client certificate was rejected (status 0x%x)", status);
        }
        return false;
    }
    return true;
}
