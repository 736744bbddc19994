/*
 * test_e2e.c — end-to-end tests of `wasmgate serve`: the real server binary, started with a
 * configuration written here, spoken to over TLS exactly as kube-apiserver does (POST,
 * Content-Type: application/json, ?timeout=10s, the server certificate verified against the
 * CA, a client certificate when mTLS is on), with the review fixtures, checking every field
 * of every reply; then bad input, limits, slow clients, plain HTTP on the TLS port, reloads
 * under load, metrics, logs and graceful shutdown.
 *
 *   server_e2e --server BINARY [--serve-arg serve] --modules fake|DIR --certs DIR
 *
 * With --modules fake the modules are fake_abi.c's command files (the server binary must be
 * wgsrv_fake_server); with a directory, they are WebAssembly modules built from
 * the .wat files in tests/server/modules with the same behaviours, served by the real `wasmgate
 * serve`. Nothing here depends on timing: waits poll for a condition, with a generous limit only so
 * that a broken server fails the test instead of hanging it.
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "srvtest.h"

/* ---- Options and helpers -------------------------------------------------------------- */

static const char *server_bin, *serve_arg, *modules_dir, *certs;
static bool fake;

/* A fixture's text; the test cannot go on without it. */
static char *fixture(const char *rel, size_t *len)
{
    char *t = wgt_read_fixture(rel, len);
    if (!t) exit(1);
    return t;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A logical module: fake command file or the matching .wasm from the modules directory. */
static void install_module(const char *logical, const char *as)
{
    char dst[600];
    snprintf(dst, sizeof dst, "%s/%s", srvt_tmpdir(), as);
    if (fake) {
        static const struct {
            const char *name, *spec;
        } fakes[] = {
            {"allow", "{\"behaviour\":\"allow\"}"},
            {"allow-v1", "{\"behaviour\":\"allow\",\"version\":1}"},
            {"allow-v2", "{\"behaviour\":\"allow\",\"version\":2}"},
            {"deny-privileged", "{\"behaviour\":\"deny-privileged\",\"message\":\"privileged "
                                "containers are not allowed\"}"},
            {"add-label", "{\"behaviour\":\"add-label\"}"},
            {"trap", "{\"behaviour\":\"trap\"}"},
            {"timeout", "{\"behaviour\":\"timeout\"}"},
            {"slow", "{\"behaviour\":\"allow\",\"delayMs\":300}"},
            {"token", "{\"behaviour\":\"token\",\"user\":\"bob\",\"groups\":[\"devs\"]}"},
            {"group", "{\"behaviour\":\"group\"}"},
        };
        for (size_t i = 0; i < sizeof fakes / sizeof fakes[0]; i++) {
            if (strcmp(fakes[i].name, logical) == 0) {
                /* Write-then-rename, as a deployment tool would, so a reload never sees a
                 * half-written module. */
                char tmp[700], text[600];
                snprintf(tmp, sizeof tmp, "%s.tmp", dst);
                snprintf(text, sizeof text, "FAKE%s", fakes[i].spec);
                FILE *f = fopen(tmp, "wb");
                if (!f || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, dst) != 0) {
                    perror(dst);
                    exit(1);
                }
                return;
            }
        }
        fprintf(stderr, "no fake module %s\n", logical);
        exit(1);
    }
    char src[600], cmd[3000];
    snprintf(src, sizeof src, "%s/%s.wasm", modules_dir, logical);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s.tmp' && mv '%s.tmp' '%s'", src, dst, dst, dst);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot install %s\n", src);
        exit(1);
    }
}

/* ---- The server process ---------------------------------------------------------------- */

typedef struct server {
    pid_t pid;
    int port;
    char log[600];
} server;

/* Writes the configuration `name` and returns its path. */
static const char *write_config(const char *name, const char *fmt, ...)
{
    char text[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", name);
    const char *tmp_path = srvt_write(tmp, text);
    static char path[16][600];
    static int slot;
    char *p = path[slot++ % 16];
    snprintf(p, 600, "%s/%s", srvt_tmpdir(), name);
    if (rename(tmp_path, p) != 0) perror(p);
    return p;
}

static const char *log_text(const server *s)
{
    return s->log;
}

/* Waits for the "serving" line and reads the port from it. */
static bool wait_serving(server *s)
{
    for (int i = 0; i < 3000; i++) {
        char *text = wgt_read_file(s->log, NULL);
        const char *at = text ? strstr(text, "\"msg\":\"serving\"") : NULL;
        const char *addr = at ? strstr(at, "\"address\":\"127.0.0.1:") : NULL;
        if (addr) {
            s->port = atoi(addr + strlen("\"address\":\"127.0.0.1:"));
            free(text);
            return s->port > 0;
        }
        free(text);
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return false;
        }
        sleep_ms(10);
    }
    return false;
}

static bool start_server(server *s, const char *config, const char *logname)
{
    memset(s, 0, sizeof s[0]);
    snprintf(s->log, sizeof s->log, "%s/%s", srvt_tmpdir(), logname);
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        FILE *f = freopen(s->log, "w", stderr);
        if (!f) _exit(126);
        if (!freopen("/dev/null", "w", stdout)) _exit(126);
        const char *argv[12];
        int n = 0;
        argv[n++] = server_bin;
        if (serve_arg) argv[n++] = serve_arg;
        argv[n++] = "--config";
        argv[n++] = config;
        argv[n++] = "--listen";
        argv[n++] = "127.0.0.1:0";
        argv[n++] = "--workers";
        argv[n++] = "4";
        argv[n] = NULL;
        execv(server_bin, (char *const *)argv);
        _exit(127);
    }
    s->pid = pid;
    if (!wait_serving(s)) {
        char *text = wgt_read_file(s->log, NULL);
        fprintf(stderr, "the server did not start; its log:\n%s\n", text ? text : "(none)");
        free(text);
        if (s->pid) kill(s->pid, SIGKILL), waitpid(s->pid, NULL, 0);
        return false;
    }
    return true;
}

/* SIGTERM and wait; returns the exit status (or -1). */
static int stop_server(server *s)
{
    if (!s->pid) return -1;
    kill(s->pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 6000; i++) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        sleep_ms(10);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    return -1;
}

/* ---- HTTP client (libcurl, set up as kube-apiserver's client is) ---------------------- */

typedef struct response {
    long status;
    char *body;
    size_t len;
    char allow[64];
    char connection[32];
    char content_type[96];
    CURLcode curl;
    long connects; /* new connections this request needed (0 = reused, keep-alive) */
} response;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    response *r = arg;
    size_t len = size * n;
    char *grown = realloc(r->body, r->len + len + 1);
    if (!grown) return 0;
    r->body = grown;
    memcpy(r->body + r->len, data, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t outsz)
{
    size_t nl = strlen(name);
    if (len > nl + 1 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
        const char *v = line + nl + 1;
        while (*v == ' ')
            v++;
        size_t vl = len - (size_t)(v - line);
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        if (vl >= outsz) vl = outsz - 1;
        memcpy(out, v, vl);
        out[vl] = '\0';
    }
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    response *r = arg;
    header_value(data, size * n, "Allow", r->allow, sizeof r->allow);
    header_value(data, size * n, "Connection", r->connection, sizeof r->connection);
    header_value(data, size * n, "Content-Type", r->content_type, sizeof r->content_type);
    return size * n;
}

typedef struct client_opts {
    const char *client_cert; /* "client" or "rogue": present that certificate */
    const char *content_type;
    const char *method;
    bool plain_http;
    curl_read_callback reader; /* a slow uploader */
    void *reader_arg;
    long upload_size;
} client_opts;

static void set_common(CURL *c, const server *s, const char *path, const client_opts *o,
                       response *r, char *url, size_t urlsz)
{
    snprintf(url, urlsz, "%s://127.0.0.1:%d%s", o && o->plain_http ? "http" : "https", s->port,
             path);
    char ca[600];
    snprintf(ca, sizeof ca, "%s/ca.crt", certs);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 200L); /* a hang guard, not a threshold */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    static char cert[600], key[600];
    if (o && o->client_cert) {
        snprintf(cert, sizeof cert, "%s/%s.crt", certs, o->client_cert);
        snprintf(key, sizeof key, "%s/%s.key", certs, o->client_cert);
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(c, CURLOPT_SSLKEY, key);
    } else {
        curl_easy_setopt(c, CURLOPT_SSLCERT, NULL);
        curl_easy_setopt(c, CURLOPT_SSLKEY, NULL);
    }
}

/* One request on handle c (reused across calls for keep-alive). body NULL = GET. */
static response request(CURL *c, const server *s, const char *path, const char *body, size_t len,
                        const client_opts *o)
{
    response r;
    memset(&r, 0, sizeof r);
    char url[600];
    curl_easy_reset(c);
    set_common(c, s, path, o, &r, url, sizeof url);
    struct curl_slist *h = NULL;
    if (body || (o && o->reader)) {
        char ct[128];
        snprintf(ct, sizeof ct, "Content-Type: %s",
                 o && o->content_type ? o->content_type : "application/json");
        h = curl_slist_append(h, ct);
        h = curl_slist_append(h, "Accept: application/json");
        h = curl_slist_append(h, "Expect:"); /* Go's client sends no 100-continue */
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        if (o && o->reader) {
            curl_easy_setopt(c, CURLOPT_READFUNCTION, o->reader);
            curl_easy_setopt(c, CURLOPT_READDATA, o->reader_arg);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, o->upload_size);
        } else {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
        }
    }
    if (o && o->method) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, o->method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    r.curl = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r.connects);
    curl_slist_free_all(h);
    return r;
}

static response post_fixture(CURL *c, const server *s, const char *path, const char *rel)
{
    size_t len;
    char *body = fixture(rel, &len);
    response r = request(c, s, path, body, len, NULL);
    free(body);
    return r;
}

static json_t *json_of(const response *r)
{
    json_error_t e;
    return r->body ? json_loads(r->body, 0, &e) : NULL;
}

static const char *uid_of(const char *rel, char *buf, size_t bufsz)
{
    size_t len;
    char *text = fixture(rel, &len);
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    snprintf(buf, bufsz, "%s", wgt_get_str(j, "request.uid"));
    json_decref(j);
    free(text);
    return buf;
}

static void free_response(response *r)
{
    free(r->body);
}

/* configmap-create.json turned into a review of a "widget" (example.com/v1, widgets): the
 * resource that the test-only modules' rules select. Returns a malloc'd body. */
static char *widget_review(size_t *len)
{
    size_t n;
    char *text = fixture("admission/configmap-create.json", &n);
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    free(text);
    json_t *req = json_object_get(j, "request");
    json_object_set_new(
        req, "kind",
        json_pack("{s:s,s:s,s:s}", "group", "example.com", "version", "v1", "kind", "Widget"));
    json_object_set_new(
        req, "resource",
        json_pack("{s:s,s:s,s:s}", "group", "example.com", "version", "v1", "resource", "widgets"));
    char *body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    *len = strlen(body);
    return body;
}

static response post_widget(CURL *c, const server *s, const char *path)
{
    size_t len;
    char *body = widget_review(&len);
    response r = request(c, s, path, body, len, NULL);
    free(body);
    return r;
}

/* ---- The main configuration -------------------------------------------------------------- */

static server main_server;
static CURL *curl;
static const char *main_config_path;

static const char *main_config(void)
{
    char cert[600], key[600];
    snprintf(cert, sizeof cert, "%s/server.crt", certs);
    snprintf(key, sizeof key, "%s/server.key", certs);
    return write_config(
        "wasmgate.yaml",
        "server:\n"
        "  listen: \"127.0.0.1:8443\"   # overridden by --listen\n"
        "  tls: {certFile: %s, keyFile: %s}\n"
        "  maxBodyBytes: 65536\n"
        "  readTimeoutSeconds: 1\n"
        "  idleTimeoutSeconds: 2\n"
        "  watchIntervalMs: 100\n"
        "  shutdownGracePeriodSeconds: 120\n"
        "defaults:\n"
        "  timeoutMs: 5000\n"
        "authentication:\n"
        "  - {name: broken, module: trap.wasm}\n"
        "  - name: tokens\n"
        "    module: token.wasm\n"
        "    settings: {token: eyJhbGciOiJub25lIn0.bWFnaWM.c2ln}\n"
        "authorization:\n"
        "  - {name: devs, module: group.wasm, settings: {group: developers}}\n"
        "admission:\n"
        "  - name: no-privileged\n"
        "    module: deny-privileged.wasm\n"
        "    rules:\n"
        "      - {operations: [CREATE, UPDATE], apiGroups: [\"\"], apiVersions: [v1], resources: "
        "[pods]}\n"
        "  - {name: labeller, module: add-label.wasm, mutating: true,\n"
        "     rules: [{operations: [CREATE], apiGroups: [\"\"], apiVersions: [v1], resources: "
        "[pods]}]}\n"
        /* The modules below see only "widgets" (example.com/v1), which no fixture is: the
         * /validate chain never reaches them, /validate/{name} with widget_review() does. */
        "  - name: versioned\n"
        "    module: versioned.wasm\n"
        "    rules: &widgets\n"
        "      - {operations: [\"*\"], apiGroups: [example.com], apiVersions: [\"*\"], resources: "
        "[widgets]}\n"
        "  - {name: crasher, module: trap.wasm, rules: *widgets}\n"
        "  - {name: flaky, module: trap.wasm, failurePolicy: Ignore, rules: *widgets}\n"
        "  - {name: stuck, module: timeout.wasm, limits: {timeoutMs: 600000}, rules: *widgets}\n"
        "  - {name: slow, module: slow.wasm, limits: {timeoutMs: 600000}, rules: *widgets}\n",
        cert, key);
}

static void install_main_modules(void)
{
    install_module("trap", "trap.wasm");
    install_module("token", "token.wasm");
    install_module("group", "group.wasm");
    install_module("deny-privileged", "deny-privileged.wasm");
    install_module("add-label", "add-label.wasm");
    install_module("allow-v1", "versioned.wasm");
    install_module("timeout", "timeout.wasm");
    install_module("slow", "slow.wasm");
}

/* ---- Tests: the three webhooks -------------------------------------------------------- */

static void health_and_readiness_answer_ok(void)
{
    response r = request(curl, &main_server, "/healthz", NULL, 0, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "ok\n");
    free_response(&r);
    r = request(curl, &main_server, "/readyz", NULL, 0, NULL);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "ok\n");
    free_response(&r);
}

static void token_review_authenticates_and_replies_in_kind(void)
{
    response r = post_fixture(curl, &main_server, "/authenticate?timeout=10s",
                              "authentication/tokenreview-v1.json");
    CHECK_INT(r.status, 200);
    CHECK_STR(r.content_type, "application/json");
    json_t *j = json_of(&r);
    CHECK_JSON(j, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                  "\"status\":{\"authenticated\":true,\"user\":{\"username\":\"bob\","
                  "\"uid\":\"fake-uid\",\"groups\":[\"devs\"]},"
                  "\"audiences\":[\"https://kubernetes.default.svc\"]}}");
    json_decref(j);
    free_response(&r);

    r = post_fixture(curl, &main_server, "/authenticate?timeout=10s",
                     "authentication/tokenreview-v1beta1.json");
    j = json_of(&r);
    CHECK_STR(wgt_get_str(j, "apiVersion"), "authentication.k8s.io/v1beta1");
    json_decref(j);
    free_response(&r);

    const char *other = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                        "\"spec\":{\"token\":\"wrong\"}}";
    r = request(curl, &main_server, "/authenticate?timeout=10s", other, strlen(other), NULL);
    CHECK_INT(r.status, 200);
    j = json_of(&r);
    json_t *status = json_object_get(j, "status");
    CHECK(json_is_false(json_object_get(status, "authenticated")) ||
          json_object_get(status, "authenticated") == NULL);
    CHECK(json_object_get(status, "user") == NULL);
    CHECK_CONTAINS(wgt_get_str(status, "error"), "module \"tokens\"");
    CHECK_CONTAINS(wgt_get_str(status, "error"), "module \"broken\" failed");
    json_decref(j);
    free_response(&r);
}

static void subject_access_review_is_allowed_for_the_group(void)
{
    response r = post_fixture(curl, &main_server, "/authorize?timeout=10s",
                              "authorization/sar-v1-resource.json");
    CHECK_INT(r.status, 200);
    json_t *j = json_of(&r);
    CHECK_JSON(j, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\","
                  "\"status\":{\"allowed\":true,\"reason\":\"module \\\"devs\\\": member of "
                  "the group\"}}");
    json_decref(j);
    free_response(&r);
    /* v1beta1 spells the groups "group": the module still finds them */
    r = post_fixture(curl, &main_server, "/authorize?timeout=10s",
                     "authorization/sar-v1beta1-resource.json");
    j = json_of(&r);
    CHECK_STR(wgt_get_str(j, "apiVersion"), "authorization.k8s.io/v1beta1");
    CHECK(json_is_true(wgt_get(j, "status.allowed")));
    json_decref(j);
    free_response(&r);
}

/* Posts a fixture to path and checks that the reply is 200 and exactly the JSON of
 * `expected_format`, in which %s stands for the fixture's uid. */
static void check_exact_reply(const char *path, const char *rel, const char *expected_format)
{
    char uid[128], expected[1024];
    response r = post_fixture(curl, &main_server, path, rel);
    CHECK_INT(r.status, 200);
    json_t *j = json_of(&r);
    snprintf(expected, sizeof expected, expected_format, uid_of(rel, uid, sizeof uid));
    CHECK_JSON(j, expected);
    json_decref(j);
    free_response(&r);
}

static void validate_denies_a_privileged_pod_with_every_field_right(void)
{
    check_exact_reply("/validate?timeout=10s", "admission/pod-privileged-create.json",
                      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                      "\"response\":{\"uid\":\"%s\",\"allowed\":false,\"status\":{\"code\":403,"
                      "\"message\":\"module \\\"no-privileged\\\" denied the request: privileged "
                      "containers are not allowed\"}}}");
}

static void validate_allows_a_plain_pod_without_a_patch(void)
{
    check_exact_reply("/validate?timeout=10s", "admission/pod-create.json",
                      "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                      "\"response\":{\"uid\":\"%s\",\"allowed\":true}}");
}

static void mutate_returns_a_json_patch_that_adds_the_label(void)
{
    char uid[128];
    response r =
        post_fixture(curl, &main_server, "/mutate?timeout=10s", "admission/pod-create.json");
    CHECK_INT(r.status, 200);
    json_t *j = json_of(&r);
    json_t *resp = json_object_get(j, "response");
    CHECK_STR(wgt_get_str(resp, "uid"), uid_of("admission/pod-create.json", uid, sizeof uid));
    CHECK(json_is_true(json_object_get(resp, "allowed")));
    CHECK_STR(wgt_get_str(resp, "patchType"), "JSONPatch");
    CHECK_INT(json_object_size(resp), 4); /* uid, allowed, patch, patchType */
    const char *patch = wgt_get_str(resp, "patch");
    if (CHECK(patch != NULL)) {
        /* base64 via openssl-free decoding: jansson cannot, so decode by hand */
        static const char *alphabet =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t n = strlen(patch);
        char *out = calloc(1, n);
        size_t o = 0;
        unsigned v = 0;
        int bits = 0;
        for (size_t i = 0; i < n && patch[i] != '='; i++) {
            const char *p = strchr(alphabet, patch[i]);
            if (!p) break;
            v = (v << 6) | (unsigned)(p - alphabet);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[o++] = (char)((v >> bits) & 0xff);
            }
        }
        json_error_t e;
        json_t *ops = json_loadb(out, o, 0, &e);
        CHECK_JSON(ops, "[{\"op\":\"add\",\"path\":\"/metadata/labels/wasmgate.io~1mutated\","
                        "\"value\":\"true\"}]");
        json_decref(ops);
        free(out);
    }
    json_decref(j);
    free_response(&r);
}

static void single_module_endpoints_run_that_module(void)
{
    response r = post_fixture(curl, &main_server, "/validate/no-privileged?timeout=10s",
                              "admission/pod-privileged-create.json");
    json_t *j = json_of(&r);
    CHECK(json_is_false(wgt_get(j, "response.allowed")));
    json_decref(j);
    free_response(&r);
    r = post_fixture(curl, &main_server, "/mutate/labeller?timeout=10s",
                     "admission/pod-create.json");
    j = json_of(&r);
    CHECK_STR(wgt_get_str(j, "response.patchType"), "JSONPatch");
    json_decref(j);
    free_response(&r);
}

static void every_admission_fixture_gets_a_reply_with_its_uid(void)
{
    static const char *const fixtures[] = {"configmap-create.json",
                                           "configmap-delete.json",
                                           "cronjob-create.json",
                                           "deployment-create.json",
                                           "deployment-scale-update.json",
                                           "deployment-update.json",
                                           "ingress-create.json",
                                           "job-create.json",
                                           "namespace-create.json",
                                           "pod-create-v1beta1.json",
                                           "pod-create.json",
                                           "pod-hostpath-create.json",
                                           "pod-privileged-create.json",
                                           "rolebinding-create.json",
                                           "secret-create.json",
                                           "service-create.json",
                                           NULL};
    for (int i = 0; fixtures[i]; i++) {
        char rel[200], uid[128];
        snprintf(rel, sizeof rel, "admission/%s", fixtures[i]);
        for (int m = 0; m < 2; m++) {
            response r = post_fixture(curl, &main_server,
                                      m ? "/mutate?timeout=10s" : "/validate?timeout=10s", rel);
            if (!CHECK_INT(r.status, 200)) fprintf(stderr, "  %s: %s\n", rel, r.body);
            json_t *j = json_of(&r);
            json_t *resp = json_object_get(j, "response");
            CHECK_STR(wgt_get_str(resp, "uid"), uid_of(rel, uid, sizeof uid));
            CHECK(json_is_boolean(json_object_get(resp, "allowed")));
            CHECK_STR(wgt_get_str(j, "apiVersion"),
                      strstr(rel, "v1beta1") ? "admission.k8s.io/v1beta1" : "admission.k8s.io/v1");
            if (!m) CHECK(json_object_get(resp, "patch") == NULL); /* validating: never */
            json_decref(j);
            free_response(&r);
        }
    }
}

static void keep_alive_reuses_one_connection(void)
{
    CURL *c = curl_easy_init();
    for (int i = 0; i < 20; i++) {
        response r =
            post_fixture(c, &main_server, "/validate?timeout=10s", "admission/pod-create.json");
        CHECK_INT(r.status, 200);
        if (i > 0) CHECK_INT(r.connects, 0);
        free_response(&r);
    }
    curl_easy_cleanup(c);
}

/* ---- Tests: failures and bad input ------------------------------------------------------ */

static void module_failures_follow_the_failure_policy(void)
{
    response r = post_widget(curl, &main_server, "/validate/crasher?timeout=10s");
    CHECK_INT(r.status, 200);
    json_t *j = json_of(&r);
    json_t *resp = json_object_get(j, "response");
    CHECK(json_is_false(json_object_get(resp, "allowed")));
    json_t *st = json_object_get(resp, "status");
    CHECK_INT(json_integer_value(json_object_get(st, "code")), 500);
    CHECK_STR(wgt_get_str(st, "reason"), "InternalError");
    CHECK_CONTAINS(wgt_get_str(st, "message"), "module \"crasher\" failed: trap");
    json_decref(j);
    free_response(&r);

    r = post_widget(curl, &main_server, "/validate/flaky?timeout=10s");
    j = json_of(&r);
    resp = json_object_get(j, "response");
    CHECK(json_is_true(json_object_get(resp, "allowed")));
    CHECK_CONTAINS(json_string_value(json_array_get(json_object_get(resp, "warnings"), 0)),
                   "module \"flaky\" failed and was ignored");
    json_decref(j);
    free_response(&r);
}

static void the_timeout_parameter_bounds_the_work(void)
{
    /* "stuck" runs until its deadline; its own limit is 10 minutes, the request's 1 s. */
    response r = post_widget(curl, &main_server, "/validate/stuck?timeout=1s");
    CHECK_INT(r.status, 200);
    json_t *j = json_of(&r);
    json_t *st = wgt_get(j, "response.status");
    CHECK_INT(json_integer_value(json_object_get(st, "code")), 500);
    CHECK_CONTAINS(wgt_get_str(st, "message"), "module \"stuck\" failed: timeout");
    json_decref(j);
    free_response(&r);
    /* ms and m units are accepted too */
    r = post_widget(curl, &main_server, "/validate/stuck?timeout=200ms");
    CHECK_INT(r.status, 200);
    free_response(&r);
}

static void expect_status(const char *what, response r, long status, const char *message)
{
    if (!CHECK_INT(r.status, status)) fprintf(stderr, "  %s: %s\n", what, r.body ? r.body : "");
    if (message && !CHECK_CONTAINS(r.body, message)) fprintf(stderr, "  %s\n", what);
    if (status >= 400 && r.body && r.body[0] == '{') {
        json_t *j = json_of(&r);
        CHECK_STR(wgt_get_str(j, "kind"), "Status");
        CHECK_INT(json_integer_value(json_object_get(j, "code")), status);
        json_decref(j);
    }
    free_response(&r);
}

static void bad_requests_get_the_right_status_and_the_server_keeps_serving(void)
{
    const char *s;
    s = "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": ";
    expect_status("truncated", request(curl, &main_server, "/validate", s, strlen(s), NULL), 400,
                  "not JSON");
    s = "this is not json";
    expect_status("not json", request(curl, &main_server, "/validate", s, strlen(s), NULL), 400,
                  "not JSON");
    s = "{\"apiVersion\":\"authentication.k8s.io/"
        "v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"x\"}}";
    expect_status("wrong kind", request(curl, &main_server, "/validate", s, strlen(s), NULL), 400,
                  "AdmissionReview");
    s = "{\"apiVersion\":\"admission.k8s.io/v9\",\"kind\":\"AdmissionReview\",\"request\":{}}";
    expect_status("wrong apiVersion", request(curl, &main_server, "/validate", s, strlen(s), NULL),
                  400, NULL);
    s = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
        "{\"operation\":\"CREATE\",\"kind\":{\"version\":\"v1\",\"kind\":\"Pod\"},"
        "\"resource\":{\"version\":\"v1\",\"resource\":\"pods\"}}}";
    expect_status("missing uid", request(curl, &main_server, "/validate", s, strlen(s), NULL), 400,
                  "request.uid");
    s = "{}";
    expect_status("unknown module",
                  request(curl, &main_server, "/validate/no-such-module", s, 2, NULL), 404,
                  "no admission module named \\\"no-such-module\\\"");
    expect_status("unknown path", request(curl, &main_server, "/admit", s, 2, NULL), 404,
                  "no such endpoint");
    response r = request(curl, &main_server, "/validate", NULL, 0, NULL);
    CHECK_STR(r.allow, "POST");
    expect_status("GET on a webhook", r, 405, "use POST");
    client_opts put = {.method = "PUT"};
    r = request(curl, &main_server, "/healthz", "x", 1, &put);
    CHECK_STR(r.allow, "GET, HEAD");
    expect_status("PUT on healthz", r, 405, "use GET");
    client_opts xml = {.content_type = "application/xml"};
    expect_status("content type", request(curl, &main_server, "/validate", s, 2, &xml), 415,
                  "application/json");
    expect_status("bad timeout", request(curl, &main_server, "/validate?timeout=soon", s, 2, NULL),
                  400, "not a duration");
    size_t len;
    char *big = fixture("admission/deployment-large-create.json", &len); /* ~85 KB > 64 KiB */
    r = request(curl, &main_server, "/validate?timeout=10s", big, len, NULL);
    CHECK_STR(r.connection, "close");
    expect_status("body over the limit", r, 413, "maxBodyBytes");
    /* Without a Content-Length (chunked), the excess is read and discarded, then refused. */
    {
        CURL *c = curl_easy_init();
        response rc;
        memset(&rc, 0, sizeof rc);
        char url[200], ca[600];
        snprintf(url, sizeof url, "https://127.0.0.1:%d/validate", main_server.port);
        snprintf(ca, sizeof ca, "%s/ca.crt", certs);
        struct curl_slist *hd = curl_slist_append(NULL, "Transfer-Encoding: chunked");
        hd = curl_slist_append(hd, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, big);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &rc);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
        rc.curl = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rc.status);
        curl_slist_free_all(hd);
        curl_easy_cleanup(c);
        expect_status("chunked body over the limit", rc, 413, "maxBodyBytes");
    }
    free(big);
    /* still serving */
    expect_status(
        "afterwards",
        post_fixture(curl, &main_server, "/validate?timeout=10s", "admission/pod-create.json"), 200,
        NULL);
}

static void plain_http_on_the_tls_port_gets_400(void)
{
    client_opts plain = {.plain_http = true};
    response r = request(curl, &main_server, "/healthz", NULL, 0, &plain);
    CHECK_INT(r.curl, CURLE_OK);
    CHECK_INT(r.status, 400);
    CHECK_CONTAINS(r.body, "HTTP request to an HTTPS server");
    free_response(&r);
    expect_status("afterwards", request(curl, &main_server, "/healthz", NULL, 0, NULL), 200, NULL);
}

/* A raw TLS connection (libcurl's connect-only mode) for clients that misbehave on purpose. */
static CURL *raw_connect(const server *s)
{
    CURL *c = curl_easy_init();
    char url[200], ca[600];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/", s->port);
    snprintf(ca, sizeof ca, "%s/ca.crt", certs);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(c) != CURLE_OK) {
        curl_easy_cleanup(c);
        return NULL;
    }
    return c;
}

static bool raw_send(CURL *c, const char *data, size_t len)
{
    while (len) {
        size_t sent = 0;
        CURLcode rc = curl_easy_send(c, data, len, &sent);
        if (rc == CURLE_AGAIN) {
            sleep_ms(1);
            continue;
        }
        if (rc != CURLE_OK) return false;
        data += sent;
        len -= sent;
    }
    return true;
}

/* True once the server has closed the connection (reading whatever it sent into buf). */
static bool raw_closed(CURL *c, char *buf, size_t bufsz, size_t *got)
{
    for (;;) {
        size_t n = 0;
        CURLcode rc = curl_easy_recv(c, buf + *got, bufsz - 1 - *got, &n);
        if (rc == CURLE_AGAIN) return false;
        if (rc != CURLE_OK || n == 0) return true;
        *got += n;
        buf[*got] = '\0';
        if (*got + 1 >= bufsz) return false;
    }
}

static void a_client_trickling_its_body_is_cut_off(void)
{
    CURL *c = raw_connect(&main_server);
    if (!CHECK(c != NULL)) return;
    size_t len;
    char *body = fixture("admission/pod-create.json", &len);
    char head[300];
    snprintf(head, sizeof head,
             "POST /validate?timeout=10s HTTP/1.1\r\nHost: localhost\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
             len);
    CHECK(raw_send(c, head, strlen(head)));
    /* One byte every 50 ms would take over a minute; readTimeoutSeconds is 1. */
    char buf[4096];
    size_t got = 0, sent = 0;
    bool closed = false;
    while (sent < len && !closed) {
        if (!raw_send(c, body + sent, 1))
            closed = true;
        else
            sent++;
        sleep_ms(50);
        if (!closed) closed = raw_closed(c, buf, sizeof buf, &got);
    }
    CHECK(closed);
    CHECK(sent < len);
    curl_easy_cleanup(c);
    free(body);
    char *log = wgt_read_file(log_text(&main_server), NULL);
    CHECK_CONTAINS(log, "\"reason\":\"read timeout (server.readTimeoutSeconds)\"");
    free(log);
    expect_status("afterwards", request(curl, &main_server, "/healthz", NULL, 0, NULL), 200, NULL);
}

static void a_stalled_client_is_disconnected(void)
{
    CURL *c = raw_connect(&main_server);
    if (!CHECK(c != NULL)) return;
    const char *head = "POST /validate HTTP/1.1\r\nHost: localhost\r\n"
                       "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"api";
    CHECK(raw_send(c, head, strlen(head)));
    char buf[4096];
    size_t got = 0;
    bool closed = false;
    /* idleTimeoutSeconds is 2; the loop's limit only guards against a hang. */
    for (int i = 0; i < 6000 && !closed; i++) {
        sleep_ms(10);
        closed = raw_closed(c, buf, sizeof buf, &got);
    }
    CHECK(closed);
    curl_easy_cleanup(c);
    /* A connection that never sends anything is closed by the acceptor. */
    c = raw_connect(&main_server); /* TLS done, then silence */
    closed = false;
    got = 0;
    for (int i = 0; i < 6000 && c && !closed; i++) {
        sleep_ms(10);
        closed = raw_closed(c, buf, sizeof buf, &got);
    }
    CHECK(closed);
    if (c) curl_easy_cleanup(c);
    expect_status("afterwards", request(curl, &main_server, "/healthz", NULL, 0, NULL), 200, NULL);
}

/* ---- Tests: metrics and logs ----------------------------------------------------------- */

static void metrics_count_what_happened(void)
{
    response r = request(curl, &main_server, "/metrics", NULL, 0, NULL);
    CHECK_INT(r.status, 200);
    CHECK_CONTAINS(r.content_type, "text/plain; version=0.0.4");
    CHECK_CONTAINS(r.body, "wasmgate_requests_total{endpoint=\"/validate\",code=\"200\"}");
    CHECK_CONTAINS(r.body, "wasmgate_requests_total{endpoint=\"/validate\",code=\"400\"}");
    CHECK_CONTAINS(r.body, "wasmgate_requests_total{endpoint=\"/validate\",code=\"413\"}");
    CHECK_CONTAINS(r.body, "wasmgate_requests_total{endpoint=\"/validate\",code=\"408\"}");
    CHECK_CONTAINS(r.body, "wasmgate_decisions_total{endpoint=\"/validate\",decision=\"denied\"}");
    CHECK_CONTAINS(
        r.body, "wasmgate_decisions_total{endpoint=\"/authenticate\",decision=\"authenticated\"}");
    CHECK_CONTAINS(r.body, "wasmgate_module_calls_total{module=\"crasher\",result=\"trap\"} ");
    CHECK_CONTAINS(r.body, "wasmgate_module_calls_total{module=\"stuck\",result=\"timeout\"} 2\n");
    CHECK_CONTAINS(r.body,
                   "wasmgate_module_duration_seconds_bucket{module=\"no-privileged\",le=\"+Inf\"}");
    CHECK_CONTAINS(r.body, "wasmgate_connections_rejected_total{reason=\"plain_http\"} 1\n");
    CHECK_CONTAINS(r.body, "wasmgate_config_generation 1\n");
    free_response(&r);
}

static void every_decision_is_one_json_log_line(void)
{
    char *text = wgt_read_file(log_text(&main_server), NULL);
    if (!CHECK(text != NULL)) return;
    char uid[128];
    uid_of("admission/pod-privileged-create.json", uid, sizeof uid);
    int decisions = 0, found = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        if (!CHECK(j != NULL)) {
            fprintf(stderr, "  not JSON: %s\n", line);
            continue;
        }
        const char *t = wgt_get_str(j, "time");
        CHECK(t && strlen(t) == 24 && t[10] == 'T' && t[23] == 'Z'); /* RFC 3339, UTC, ms */
        const char *msg = wgt_get_str(j, "msg");
        if (msg && strcmp(msg, "decision") == 0) {
            decisions++;
            CHECK(json_is_string(json_object_get(j, "endpoint")));
            CHECK(json_is_string(json_object_get(j, "decision")));
            CHECK(json_is_array(json_object_get(j, "modules")));
            CHECK(json_is_number(json_object_get(j, "durationMs")));
            CHECK(json_is_string(json_object_get(j, "kind")));
            const char *u = wgt_get_str(j, "uid");
            if (u && strcmp(u, uid) == 0 && strcmp(wgt_get_str(j, "endpoint"), "/validate") == 0) {
                found++;
                CHECK_STR(wgt_get_str(j, "decision"), "denied");
                CHECK_STR(wgt_get_str(j, "objectKind"), "Pod");
                json_t *mods = json_object_get(j, "modules");
                CHECK_STR(json_string_value(json_object_get(json_array_get(mods, 0), "name")),
                          "no-privileged");
            }
        }
        json_decref(j);
    }
    CHECK(decisions > 20);
    CHECK(found >= 1);
    CHECK(!strstr(text, "eyJhbGciOiJub25lIn0")); /* tokens never reach the log */
    free(text);
}

/* ---- Tests: reload under load ------------------------------------------------------------ */

typedef struct load_state {
    const server *s;
    _Atomic bool stop;
    _Atomic long sent, failed, saw_v2;
    char first_failure[512];
} load_state;

static void *load_thread(void *arg)
{
    load_state *ls = arg;
    CURL *c = curl_easy_init();
    size_t len;
    char *body = widget_review(&len);
    while (!atomic_load(&ls->stop)) {
        response r = request(c, ls->s, "/validate/versioned?timeout=10s", body, len, NULL);
        json_t *j = json_of(&r);
        json_t *resp = json_object_get(j, "response");
        const char *w = json_string_value(json_array_get(json_object_get(resp, "warnings"), 0));
        bool ok = r.curl == CURLE_OK && r.status == 200 &&
                  json_is_true(json_object_get(resp, "allowed")) && w;
        atomic_fetch_add(&ls->sent, 1);
        if (!ok) {
            if (atomic_fetch_add(&ls->failed, 1) == 0)
                snprintf(ls->first_failure, sizeof ls->first_failure, "curl %d, HTTP %ld: %s",
                         (int)r.curl, r.status, r.body ? r.body : "");
        } else if (strstr(w, "version 2")) {
            atomic_fetch_add(&ls->saw_v2, 1);
        }
        json_decref(j);
        free_response(&r);
    }
    free(body);
    curl_easy_cleanup(c);
    return NULL;
}

static bool metrics_contain(const server *s, const char *needle)
{
    response r = request(curl, s, "/metrics", NULL, 0, NULL);
    bool found = r.body && strstr(r.body, needle);
    free_response(&r);
    return found;
}

static bool wait_for(bool (*cond)(const void *), const void *arg)
{
    for (int i = 0; i < 3000; i++) {
        if (cond(arg)) return true;
        sleep_ms(10);
    }
    return false;
}

static bool saw_v2(const void *arg)
{
    return atomic_load(&((load_state *)arg)->saw_v2) > 0;
}
static bool generation_3(const void *arg)
{
    return metrics_contain(arg, "wasmgate_config_generation 3\n");
}
static bool one_failed_reload(const void *arg)
{
    return metrics_contain(arg, "wasmgate_config_reloads_total{result=\"failure\"} 1\n");
}
static bool generation_4(const void *arg)
{
    return metrics_contain(arg, "wasmgate_config_generation 4\n");
}

static void reloads_under_load_lose_no_request(void)
{
    load_state ls;
    memset(&ls, 0, sizeof ls);
    ls.s = &main_server;
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, load_thread, &ls);
    while (atomic_load(&ls.sent) < 30)
        sleep_ms(5);

    /* 1. A module file changes: the new version serves, through a watch-triggered reload. */
    install_module("allow-v2", "versioned.wasm");
    CHECK(wait_for(saw_v2, &ls));

    /* 2. The configuration changes (a module added): generation 3. */
    const char *config = main_config_path;
    char *text = wgt_read_file(config, NULL);
    if (text) {
        write_config("wasmgate.yaml",
                     "%s  - {name: extra, module: versioned.wasm, rules: *widgets}\n", text);
        free(text);
    }
    CHECK(wait_for(generation_3, &main_server));
    response r = post_widget(curl, &main_server, "/validate/extra?timeout=10s");
    CHECK_INT(r.status, 200);
    CHECK_CONTAINS(r.body, "version 2");
    free_response(&r);

    /* 3. A broken configuration is refused; the old one keeps serving. */
    text = wgt_read_file(config, NULL);
    write_config("wasmgate.yaml",
                 "%s  - {name: broken, module: versioned.wasm, failurePolicy: fail}\n",
                 text ? text : "");
    CHECK(wait_for(one_failed_reload, &main_server));
    r = post_widget(curl, &main_server, "/validate/extra?timeout=10s");
    CHECK_INT(r.status, 200);
    free_response(&r);

    /* 4. Fixed again, and reloaded by SIGHUP as well. */
    write_config("wasmgate.yaml", "%s", text ? text : "");
    free(text);
    CHECK(wait_for(generation_4, &main_server));
    kill(main_server.pid, SIGHUP);
    for (int i = 0; i < 3000 && !metrics_contain(&main_server, "wasmgate_config_generation 5\n");
         i++)
        sleep_ms(10);
    CHECK(metrics_contain(&main_server, "wasmgate_config_generation 5\n"));

    while (atomic_load(&ls.sent) < 200)
        sleep_ms(5);
    atomic_store(&ls.stop, true);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    if (!CHECK_INT(atomic_load(&ls.failed), 0)) fprintf(stderr, "  first: %s\n", ls.first_failure);
    CHECK(atomic_load(&ls.sent) >= 200);
    char *log = wgt_read_file(log_text(&main_server), NULL);
    CHECK_CONTAINS(log, "reload failed; the previous configuration keeps serving");
    CHECK_CONTAINS(log, "failurePolicy: must be Fail or Ignore, got \\\"fail\\\"");
    CHECK_CONTAINS(log, "\"reason\":\"SIGHUP\"");
    free(log);
}

/* ---- Tests: mTLS ------------------------------------------------------------------------- */

static void client_certificates_are_required_and_verified(void)
{
    char cert[600], key[600], ca[600];
    snprintf(cert, sizeof cert, "%s/server.crt", certs);
    snprintf(key, sizeof key, "%s/server.key", certs);
    snprintf(ca, sizeof ca, "%s/ca.crt", certs);
    const char *config =
        write_config("mtls.yaml",
                     "server:\n  tls: {certFile: %s, keyFile: %s, clientCAFile: %s}\n"
                     "admission:\n  - {name: no-privileged, module: deny-privileged.wasm}\n",
                     cert, key, ca);
    server s;
    if (!CHECK(start_server(&s, config, "mtls.log"))) return;
    CURL *c = curl_easy_init();
    client_opts good = {.client_cert = "client"}, rogue = {.client_cert = "rogue"};
    size_t len;
    char *body = fixture("admission/pod-create.json", &len);
    response r = request(c, &s, "/validate?timeout=10s", body, len, &good);
    CHECK_INT(r.status, 200);
    free_response(&r);
    CURL *c2 = curl_easy_init();
    r = request(c2, &s, "/validate?timeout=10s", body, len, NULL);
    CHECK_INT(r.status, 401);
    CHECK_CONTAINS(r.body, "no client certificate");
    free_response(&r);
    curl_easy_cleanup(c2);
    c2 = curl_easy_init();
    r = request(c2, &s, "/validate?timeout=10s", body, len, &rogue);
    CHECK_INT(r.status, 401);
    CHECK_CONTAINS(r.body, "client certificate was rejected");
    free_response(&r);
    /* probes need no certificate */
    r = request(c2, &s, "/readyz", NULL, 0, NULL);
    CHECK_INT(r.status, 200);
    free_response(&r);
    curl_easy_cleanup(c2);
    curl_easy_cleanup(c);
    free(body);
    CHECK_INT(stop_server(&s), 0);
}

/* ---- Tests: graceful shutdown ------------------------------------------------------------ */

typedef struct inflight {
    const server *s;
    response r;
} inflight;

static void *slow_request(void *arg)
{
    inflight *f = arg;
    CURL *c = curl_easy_init();
    size_t len;
    char *body = widget_review(&len);
    /* A generous deadline: the module must finish, however slow a sanitizer build runs it. */
    f->r = request(c, f->s, "/validate/slow?timeout=120s", body, len, NULL);
    free(body);
    curl_easy_cleanup(c);
    return NULL;
}

static void sigterm_lets_requests_in_flight_finish(void)
{
    inflight f;
    memset(&f, 0, sizeof f);
    f.s = &main_server;
    pthread_t t;
    pthread_create(&t, NULL, slow_request, &f);
    /* Wait until the server has the request (the in-flight gauge says so). */
    for (int i = 0; i < 3000 && !metrics_contain(&main_server, "wasmgate_inflight_requests 2\n");
         i++)
        sleep_ms(2);
    int status = stop_server(&main_server);
    pthread_join(t, NULL);
    CHECK_INT(f.r.status, 200);
    /* The fake "slow" module is certainly still running when SIGTERM arrives, so its reply
     * is sent while draining; a WebAssembly loop may have finished already. */
    if (fake) CHECK_STR(f.r.connection, "close");
    json_t *j = json_of(&f.r);
    CHECK(json_is_true(wgt_get(j, "response.allowed")));
    json_decref(j);
    free_response(&f.r);
    CHECK_INT(status, 0);
    char *log = wgt_read_file(log_text(&main_server), NULL);
    CHECK_CONTAINS(log, "\"msg\":\"shutting down\"");
    CHECK_CONTAINS(log, "\"msg\":\"stopped\"");
    free(log);
}

/* ---- Tests: --check ---------------------------------------------------------------------- */

static int run_check(const char *config, char **output)
{
    char cmd[2000], out[600];
    snprintf(out, sizeof out, "%s/check.out", srvt_tmpdir());
    snprintf(cmd, sizeof cmd, "'%s' %s --check --config '%s' >'%s' 2>&1", server_bin,
             serve_arg ? serve_arg : "", config, out);
    int rc = system(cmd);
    *output = wgt_read_file(out, NULL);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void check_mode_validates_without_serving(void)
{
    char *out = NULL;
    const char *good = main_config_path;
    CHECK_INT(run_check(good, &out), 0);
    CHECK_CONTAINS(out, "OK (2 authentication, 1 authorization, 7 admission modules loaded");
    CHECK_CONTAINS(out, "no-privileged");
    free(out);
    const char *bad = write_config("bad.yaml",
                                   "admission:\n"
                                   "  - {name: a, module: missing.wasm}\n"
                                   "  - {name: b, module: versioned.wasm, sha256: %064d}\n",
                                   0);
    CHECK_INT(run_check(bad, &out), 1);
    CHECK_CONTAINS(out, "bad.yaml:2: admission[0].module:");
    CHECK_CONTAINS(out, "missing.wasm: cannot open: No such file or directory");
    CHECK_CONTAINS(out, "bad.yaml:3: admission[1].sha256:");
    CHECK_CONTAINS(out, "does not match the pin");
    free(out);
}

/* ---- Tests: the embedded configuration ------------------------------------------------------ */

static void the_embedded_configuration_serves_and_says_how_to_try_it(void)
{
    /* The example modules' names, as fakes (the WebAssembly examples are not built here). */
    char dir[600], out[700], cmd[2000];
    snprintf(dir, sizeof dir, "%s/examples", srvt_tmpdir());
    snprintf(out, sizeof out, "%s/embedded.out", srvt_tmpdir());
    mkdir(dir, 0755);
    static const char *const names[] = {"token-authn",    "group-authz",  "deny-hostpath",
                                        "require-labels", "add-defaults", NULL};
    for (int i = 0; names[i]; i++) {
        char rel[200];
        snprintf(rel, sizeof rel, "examples/%s.wasm", names[i]);
        srvt_write(rel, "FAKE{\"behaviour\":\"allow\"}");
    }
    srvt_write("examples/deny-privileged.wasm",
               "FAKE{\"behaviour\":\"deny-privileged\",\"message\":\"no privileged pods\"}");
    server s;
    memset(&s, 0, sizeof s);
    snprintf(s.log, sizeof s.log, "%s/embedded.log", srvt_tmpdir());
    snprintf(cmd, sizeof cmd, "exec '%s' --modules '%s' --listen 127.0.0.1:0 >'%s' 2>'%s'",
             server_bin, dir, out, s.log);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    s.pid = pid;
    if (!CHECK(wait_serving(&s))) return;
    char *text = NULL;
    for (int i = 0; i < 3000; i++) {
        free(text);
        text = wgt_read_file(out, NULL);
        if (text && strstr(text, "Stop with Ctrl-C")) break;
        sleep_ms(10);
    }
    CHECK_CONTAINS(text,
                   "wasmgate is serving the embedded example configuration on https://127.0.0.1:");
    CHECK_CONTAINS(text, "--data @tests/fixtures/admission/pod-privileged-create.json");
    const char *at = text ? strstr(text, "(for --cacert): ") : NULL;
    char cert[600] = "";
    if (CHECK(at != NULL)) sscanf(at + strlen("(for --cacert): "), "%599s", cert);
    /* The printed certificate verifies the server (it is self-signed for 127.0.0.1). */
    CURL *c = curl_easy_init();
    response r;
    memset(&r, 0, sizeof r);
    char url[200];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/validate?timeout=10s", s.port);
    size_t len;
    char *body = fixture("admission/pod-privileged-create.json", &len);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CAINFO, cert);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    CHECK_INT(curl_easy_perform(c), CURLE_OK);
    CHECK_CONTAINS(r.body, "module \\\"deny-privileged\\\" denied the request: no privileged pods");
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    free_response(&r);
    free(body);
    free(text);
    CHECK_INT(stop_server(&s), 0);
    struct stat st;
    CHECK(cert[0] && stat(cert, &st) != 0); /* the temporary certificate is removed at exit */
}

/* ---- main ------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--server") == 0)
            server_bin = argv[i + 1];
        else if (strcmp(argv[i], "--serve-arg") == 0)
            serve_arg = argv[i + 1];
        else if (strcmp(argv[i], "--modules") == 0)
            modules_dir = argv[i + 1];
        else if (strcmp(argv[i], "--certs") == 0)
            certs = argv[i + 1];
    }
    if (!server_bin || !modules_dir || !certs) {
        fprintf(stderr, "usage: server_e2e --server BIN [--serve-arg serve] --modules fake|DIR "
                        "--certs DIR\n");
        return 2;
    }
    fake = strcmp(modules_dir, "fake") == 0;
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_ALL);
    curl = curl_easy_init();
    install_main_modules();
    main_config_path = main_config();
    if (!start_server(&main_server, main_config_path, "server.log")) return 1;

    RUN(health_and_readiness_answer_ok);
    RUN(token_review_authenticates_and_replies_in_kind);
    RUN(subject_access_review_is_allowed_for_the_group);
    RUN(validate_denies_a_privileged_pod_with_every_field_right);
    RUN(validate_allows_a_plain_pod_without_a_patch);
    RUN(mutate_returns_a_json_patch_that_adds_the_label);
    RUN(single_module_endpoints_run_that_module);
    RUN(every_admission_fixture_gets_a_reply_with_its_uid);
    RUN(keep_alive_reuses_one_connection);
    RUN(module_failures_follow_the_failure_policy);
    RUN(the_timeout_parameter_bounds_the_work);
    RUN(bad_requests_get_the_right_status_and_the_server_keeps_serving);
    RUN(plain_http_on_the_tls_port_gets_400);
    RUN(a_client_trickling_its_body_is_cut_off);
    RUN(a_stalled_client_is_disconnected);
    RUN(metrics_count_what_happened);
    RUN(every_decision_is_one_json_log_line);
    RUN(client_certificates_are_required_and_verified);
    RUN(check_mode_validates_without_serving);
    RUN(reloads_under_load_lose_no_request);
    RUN(sigterm_lets_requests_in_flight_finish);
    if (fake) RUN(the_embedded_configuration_serves_and_says_how_to_try_it);

    if (main_server.pid) stop_server(&main_server);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return srvt_finish();
}
