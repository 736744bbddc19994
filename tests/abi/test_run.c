/*
 * test_run.c — `wasmgate run` end to end: the real command, run as a process on the
 * kubectl-rendered fixtures in tests/fixtures, its reply checked field by field and its exit
 * status checked against the documented meaning (0 allowed, 1 cannot evaluate, 2 usage,
 * 3 denied, 4 no opinion, 5 module failed).
 *
 * usage: abi_test_run WASMGATE SUITE [EXAMPLES_DIR]
 *   cli         usage and input errors
 *   spec        the hand-written k8s-wasm spec modules and the ABI test modules
 *   kubewarden  the hand-written waPC guests, as Kubewarden policies
 *   examples    every example module of examples/ (built to EXAMPLES_DIR)
 * A mutation is checked by decoding the reply's JSON Patch and applying it, with
 * wgk8s_json_patch_apply, to the fixture's object: the result must be the expected object.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abitest.h"

static const char *wasmgate_path;
static const char *examples_dir;

/* ---- Running the command -------------------------------------------------------------- */

typedef struct run_out {
    int exit;      /* exit status, or -1 when the process did not exit normally */
    char *out;     /* stdout */
    char *err;     /* stderr */
    json_t *reply; /* stdout parsed, when it is JSON */
} run_out;

static void run_out_clear(run_out *o)
{
    free(o->out);
    free(o->err);
    json_decref(o->reply);
    memset(o, 0, sizeof *o);
}

/* Appends what is readable on fd to *buf; false at end of file. */
static bool drain(int fd, char **buf, size_t *len)
{
    char chunk[65536];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) return false;
    char *bigger = realloc(*buf, *len + (size_t)n + 1);
    if (!bigger) return false;
    *buf = bigger;
    memcpy(*buf + *len, chunk, (size_t)n);
    *len += (size_t)n;
    (*buf)[*len] = '\0';
    return true;
}

/* Runs `wasmgate COMMAND ARGS...` (args NULL-terminated; no COMMAND when it is NULL); false
 * if it could not be run. */
static bool run_wasmgate(run_out *o, const char *command, const char *const *args)
{
    memset(o, 0, sizeof *o);
    const char *argv[64];
    size_t n = 0;
    argv[n++] = wasmgate_path;
    if (command) argv[n++] = command;
    for (size_t i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return CHECK(false);
    pid_t pid = fork();
    if (pid < 0) return CHECK(false);
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]), close(out[1]), close(err[0]), close(err[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    size_t out_len = 0, err_len = 0;
    o->out = calloc(1, 1);
    o->err = calloc(1, 1);
    struct pollfd p[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            if (!drain(p[i].fd, i ? &o->err : &o->out, i ? &err_len : &out_len)) {
                close(p[i].fd);
                p[i].fd = -1;
                open_fds--;
            }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    o->exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o->reply = json_loads(o->out, 0, NULL);
    /* A sanitizer report fails the test whatever the exit status. */
    CHECK_NOT_CONTAINS(o->err, "Sanitizer");
    CHECK_NOT_CONTAINS(o->err, "runtime error:");
    return true;
}

/* Runs `wasmgate run ARGS...`. */
static bool wasmgate_run(run_out *o, const char *const *args)
{
    return run_wasmgate(o, "run", args);
}

/* Prints what the command did, after a failed check. */
static void show(const run_out *o)
{
    fprintf(stderr, "    exit %d\n---- stdout ----\n%s---- stderr ----\n%s----\n", o->exit,
            o->out ? o->out : "", o->err ? o->err : "");
}

/* ---- Reading replies ------------------------------------------------------------------- */

/* The checks every run makes: the exit status, and the reply's envelope. */
#define EXPECT_EXIT(o, status)                          \
    do {                                                \
        if (!CHECK_INT((o).exit, (status))) show(&(o)); \
    } while (0)

static void check_envelope(const run_out *o, const char *api_version, const char *kind)
{
    if (!CHECK(o->reply != NULL)) {
        show(o);
        return;
    }
    CHECK_STR(wgt_get_str(o->reply, "apiVersion"), api_version);
    CHECK_STR(wgt_get_str(o->reply, "kind"), kind);
    CHECK(wgt_get(o->reply, "spec") == NULL); /* never echoed: a token must not travel back */
    CHECK(wgt_get(o->reply, "request") == NULL);
}

/* The fixture's request.uid. */
static const char *fixture_uid(const json_t *review)
{
    return wgt_get_str(review, "request.uid");
}

/* Decodes the reply's JSON Patch, checks patchType, applies it to the fixture's object and
 * returns the result (NULL after a failed check). */
static json_t *apply_reply_patch(const run_out *o, const json_t *fixture)
{
    const char *b64 = wgt_get_str(o->reply, "response.patch");
    if (!CHECK(b64 != NULL)) return NULL;
    CHECK_STR(wgt_get_str(o->reply, "response.patchType"), "JSONPatch");
    size_t len;
    char err[512] = "";
    unsigned char *text = wgk8s_base64_decode(b64, strlen(b64), &len, err, sizeof err);
    json_t *patch = text ? json_loadb((const char *)text, len, 0, NULL) : NULL;
    free(text);
    if (!CHECK(json_is_array(patch))) return NULL;
    json_t *applied =
        wgk8s_json_patch_apply(wgt_get(fixture, "request.object"), patch, err, sizeof err);
    if (!CHECK(applied != NULL)) fprintf(stderr, "    %s\n", err);
    json_decref(patch);
    return applied;
}

static char module_path[1024], fixture_path[1024];

static const char *test_module(const char *file)
{
    snprintf(module_path, sizeof module_path, "%s/%s", ABIT_MODULES, file);
    return module_path;
}

static const char *example(const char *name)
{
    snprintf(module_path, sizeof module_path, "%s/%s.wasm", examples_dir, name);
    return module_path;
}

static const char *fixture(const char *relpath)
{
    snprintf(fixture_path, sizeof fixture_path, "%s/%s", wgt_fixtures_dir, relpath);
    return fixture_path;
}

/* ---- cli ------------------------------------------------------------------------------- */

static void help_and_usage_errors(void)
{
    run_out o;
    wasmgate_run(&o, (const char *[]){"--help", NULL});
    EXPECT_EXIT(o, 0);
    CHECK_CONTAINS(o.out, "usage: wasmgate run MODULE.wasm --request FILE [OPTIONS]");
    CHECK_CONTAINS(o.out, "  5  the module failed");
    run_out_clear(&o);

    static const struct {
        const char *args[6];
        const char *error;
    } cases[] = {
        {{NULL}, "wasmgate run: missing MODULE"},
        {{"m.wasm", NULL}, "wasmgate run: missing --request FILE"},
        {{"m.wasm", "--request", NULL}, "option '--request' needs a value"},
        {{"m.wasm", "--frobnicate", NULL}, "unknown option '--frobnicate'"},
        {{"a.wasm", "b.wasm", "--request", "r.json", NULL}, "expected one MODULE"},
        {{"m.wasm", "--request", "r", "--abi", "opa", NULL},
         "--abi 'opa': expected k8s-wasm or kubewarden"},
        {{"m.wasm", "--request", "r", "--failure-policy=Sometimes", NULL},
         "--failure-policy 'Sometimes': expected Fail or Ignore"},
        {{"m.wasm", "--request", "r", "--timeout-ms", "soon", NULL}, "--timeout-ms 'soon'"},
        {{"m.wasm", "--request", "r", "--max-pages", "0", NULL}, "--max-pages '0'"},
        {{"m.wasm", "--request", "r", "--allow-path", "/tmp", NULL},
         "--allow-path: directory grant \"/tmp\" has no \"::\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wasmgate_run(&o, cases[i].args);
        EXPECT_EXIT(o, 2);
        if (!CHECK_CONTAINS(o.err, cases[i].error)) show(&o);
        CHECK_CONTAINS(o.err, "usage: wasmgate run");
        CHECK_STR(o.out, "");
        run_out_clear(&o);
    }
}

static void input_errors_exit_with_1(void)
{
    char bad_json[1024], not_review[1024];
    snprintf(bad_json, sizeof bad_json, "%s/run-not-json.json", ABIT_MODULES);
    snprintf(not_review, sizeof not_review, "%s/run-not-a-review.json", ABIT_MODULES);
    FILE *f = fopen(bad_json, "w");
    if (f) fputs("{\"apiVersion\": ", f), fclose(f);
    f = fopen(not_review, "w");
    if (f) fputs("{\"apiVersion\": \"v1\", \"kind\": \"Pod\"}", f), fclose(f);
    char validate[1024];
    snprintf(validate, sizeof validate, "%s", test_module("spec_validate.wasm"));
    static char pod[1024], token[1024];
    snprintf(pod, sizeof pod, "%s", fixture("admission/pod-create.json"));
    snprintf(token, sizeof token, "%s", fixture("authentication/tokenreview-v1.json"));

    static const struct {
        const char *args[8];
        const char *error;
    } cases[] = {
        {{"MODULE", "--request", "/nonexistent/review.json", NULL},
         "cannot read '/nonexistent/review.json'"},
        {{"MODULE", "--request", "NOTJSON", NULL}, "body: not JSON"},
        {{"MODULE", "--request", "NOTREVIEW", NULL}, "kind"},
        {{"/nonexistent/module.wasm", "--request", "POD", NULL},
         "cannot read '/nonexistent/module.wasm'"},
        {{"POD", "--request", "POD", NULL}, "not a valid WebAssembly module"},
        {{"MODULE", "--request", "POD", "--settings", "{not json", NULL}, "settings: not JSON"},
        {{"MODULE", "--request", "POD", "--settings", "@/nonexistent/settings.json", NULL},
         "--settings: cannot read '/nonexistent/settings.json'"},
        {{"MODULE", "--request", "TOKEN", "--mutating", NULL},
         "only admission modules can be mutating"},
        {{"MODULE", "--request", "POD", "--abi", "extism", NULL},
         "module \"spec_validate\": the extism ABI is not implemented yet"},
        {{"NOENTRY", "--request", "POD", NULL}, "cannot tell the module's ABI"},
        {{"NOENTRY", "--request", "POD", "--abi", "k8s-wasm", NULL},
         "module \"bad_no_entry\": exports none of the k8s-wasm entry points"},
        {{"UNKNOWN", "--request", "POD", NULL},
         "module \"bad_unknown_import\": import \"env\" \"foo\" (func) is not provided by the "
         "k8s-wasm ABI"},
    };
    char noentry[1024], unknown[1024];
    snprintf(noentry, sizeof noentry, "%s", test_module("bad_no_entry.wasm"));
    snprintf(unknown, sizeof unknown, "%s", test_module("bad_unknown_import.wasm"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[8];
        for (size_t k = 0; k < 8; k++) {
            const char *a = cases[i].args[k];
            if (a && strcmp(a, "MODULE") == 0)
                a = validate;
            else if (a && strcmp(a, "POD") == 0)
                a = pod;
            else if (a && strcmp(a, "TOKEN") == 0)
                a = token;
            else if (a && strcmp(a, "NOTJSON") == 0)
                a = bad_json;
            else if (a && strcmp(a, "NOTREVIEW") == 0)
                a = not_review;
            else if (a && strcmp(a, "NOENTRY") == 0)
                a = noentry;
            else if (a && strcmp(a, "UNKNOWN") == 0)
                a = unknown;
            args[k] = a;
            if (!a) break;
        }
        run_out o;
        wasmgate_run(&o, args);
        EXPECT_EXIT(o, 1);
        if (!CHECK_CONTAINS(o.err, cases[i].error)) show(&o);
        CHECK_STR(o.out, "");
        run_out_clear(&o);
    }
    remove(bad_json);
    remove(not_review);
}

static void run_is_listed_among_the_commands(void)
{
    /* `wasmgate --help`: "run --help" is the command's own help. */
    run_out o;
    run_wasmgate(&o, NULL, (const char *[]){"--help", NULL});
    CHECK_CONTAINS(
        o.out, "\n  run        evaluate one review with a module exactly as the server would\n");
    run_out_clear(&o);
}

/* ---- spec ------------------------------------------------------------------------------ */

/* True when the fixture path `rel` is in the fixtures' directory `dir` ("admission"). */
static bool in_dir(const char *rel, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(rel, dir, n) == 0 && rel[n] == '/';
}

static void spec_validate_allows_every_admission_fixture(void)
{
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", test_module("spec_validate.wasm"));
    for (const char *const *rel = wgt_all_fixtures; *rel; rel++) {
        if (!in_dir(*rel, "admission")) continue;
        json_t *review = wgt_fixture_json(*rel);
        run_out o;
        wasmgate_run(&o, (const char *[]){mod, "--request", fixture(*rel), NULL});
        EXPECT_EXIT(o, 0);
        /* The reply has the request's apiVersion (v1beta1 too), though the module said v1. */
        check_envelope(&o, wgt_get_str(review, "apiVersion"), "AdmissionReview");
        CHECK_STR(wgt_get_str(o.reply, "response.uid"), fixture_uid(review));
        CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
        CHECK(wgt_get(o.reply, "response.status") == NULL);
        CHECK(wgt_get(o.reply, "response.patch") == NULL);
        CHECK(wgt_get(o.reply, "response.patchType") == NULL);
        CHECK_INT(json_object_size(wgt_get(o.reply, "response")), 2); /* uid and allowed only */
        CHECK_STR(o.err, "");
        run_out_clear(&o);
        json_decref(review);
    }
}

static void the_full_patch_of_the_spec_becomes_a_json_patch(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    run_out o;
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", test_module("spec_full_patch.wasm"));
    wasmgate_run(&o, (const char *[]){mod, "--mutating", "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 0);
    check_envelope(&o, "admission.k8s.io/v1", "AdmissionReview");
    CHECK_STR(wgt_get_str(o.reply, "response.uid"), fixture_uid(review));
    CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
    /* The patch itself, as documented in the module's header. */
    const char *b64 = wgt_get_str(o.reply, "response.patch");
    size_t len = 0;
    unsigned char *text = b64 ? wgk8s_base64_decode(b64, strlen(b64), &len, NULL, 0) : NULL;
    json_t *patch = text ? json_loadb((const char *)text, len, 0, NULL) : NULL;
    CHECK_JSON(patch, "[{\"op\": \"add\", \"path\": \"/metadata/labels/wasmgate.io~1mutated\","
                      " \"value\": \"true\"}]");
    json_decref(patch);
    free(text);
    json_t *mutated = apply_reply_patch(&o, review);
    json_t *expected = json_deep_copy(wgt_get(review, "request.object"));
    json_object_set_new(json_object_get(json_object_get(expected, "metadata"), "labels"),
                        "wasmgate.io/mutated", json_string("true"));
    CHECK(mutated && json_equal(mutated, expected));
    CHECK_CONTAINS(o.err, "wasmgate run: JSON Patch: [{\"op\":\"add\"");
    json_decref(mutated);
    json_decref(expected);
    run_out_clear(&o);

    /* --raw: the module's own answer, patchType Full. */
    wasmgate_run(&o, (const char *[]){mod, "--mutating", "--raw", "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 0);
    CHECK_STR(wgt_get_str(o.reply, "response.response.patchType"), "Full");
    CHECK_STR(wgt_get_str(o.reply, "response.apiVersion"), "admission.k8s.io/v1");
    run_out_clear(&o);
    json_decref(review);
}

static void a_patch_from_a_validating_module_is_a_module_failure(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    run_out o;
    wasmgate_run(&o, (const char *[]){test_module("spec_full_patch.wasm"), "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 5);
    check_envelope(&o, "admission.k8s.io/v1", "AdmissionReview");
    CHECK_STR(wgt_get_str(o.reply, "response.uid"), fixture_uid(review));
    CHECK(json_is_false(wgt_get(o.reply, "response.allowed")));
    CHECK_INT(json_integer_value(wgt_get(o.reply, "response.status.code")), 500);
    CHECK_STR(wgt_get_str(o.reply, "response.status.reason"), "InternalError");
    CHECK_CONTAINS(wgt_get_str(o.reply, "response.status.message"),
                   "module \"spec_full_patch\" failed: ");
    CHECK_CONTAINS(wgt_get_str(o.reply, "response.status.message"), "not mutating");
    CHECK(wgt_get(o.reply, "response.patch") == NULL);
    CHECK_CONTAINS(o.err, "wasmgate run: module \"spec_full_patch\" failed: ");
    run_out_clear(&o);
    json_decref(review);
}

static void an_error_answer_fails_by_failure_policy_for_every_kind(void)
{
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", test_module("spec_error.wasm"));
    run_out o;

    /* TokenReview: not authenticated, the failure in status.error. */
    wasmgate_run(&o, (const char *[]){mod, "--request",
                                      fixture("authentication/tokenreview-v1.json"), NULL});
    EXPECT_EXIT(o, 5);
    check_envelope(&o, "authentication.k8s.io/v1", "TokenReview");
    CHECK(json_is_false(wgt_get(o.reply, "status.authenticated")));
    CHECK(wgt_get(o.reply, "status.user") == NULL);
    CHECK_STR(wgt_get_str(o.reply, "status.error"),
              "module \"spec_error\" failed: module reported an error: spec_error: this module "
              "always fails");
    CHECK_CONTAINS(o.err, "spec_error: answering with an error envelope\n"); /* its log */
    run_out_clear(&o);

    /* SubjectAccessReview: failurePolicy Fail denies. */
    wasmgate_run(&o, (const char *[]){mod, "--request",
                                      fixture("authorization/sar-v1-resource.json"), NULL});
    EXPECT_EXIT(o, 5);
    check_envelope(&o, "authorization.k8s.io/v1", "SubjectAccessReview");
    CHECK(json_is_false(wgt_get(o.reply, "status.allowed")));
    CHECK(json_is_true(wgt_get(o.reply, "status.denied")));
    CHECK_STR(wgt_get_str(o.reply, "status.reason"),
              "module \"spec_error\" failed (failurePolicy Fail)");
    CHECK_CONTAINS(wgt_get_str(o.reply, "status.evaluationError"),
                   "spec_error: this module always fails");
    run_out_clear(&o);

    /* ... and Ignore makes it no opinion. */
    wasmgate_run(&o, (const char *[]){mod, "--failure-policy", "Ignore", "--request",
                                      fixture("authorization/sar-v1-resource.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK(json_is_false(wgt_get(o.reply, "status.allowed")));
    CHECK(wgt_get(o.reply, "status.denied") == NULL);
    run_out_clear(&o);

    /* AdmissionReview: Fail denies with 500; Ignore admits with a warning. */
    wasmgate_run(&o,
                 (const char *[]){mod, "--request", fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK(json_is_false(wgt_get(o.reply, "response.allowed")));
    CHECK_INT(json_integer_value(wgt_get(o.reply, "response.status.code")), 500);
    CHECK_STR(wgt_get_str(o.reply, "response.status.message"),
              "module \"spec_error\" failed: module reported an error: spec_error: this module "
              "always fails");
    run_out_clear(&o);
    wasmgate_run(&o, (const char *[]){mod, "--failure-policy=Ignore", "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
    CHECK(wgt_get(o.reply, "response.status") == NULL);
    CHECK_CONTAINS(wgt_get_str(o.reply, "response.warnings[0]"),
                   "module \"spec_error\" failed and was ignored: ");
    run_out_clear(&o);
}

static void a_module_without_the_kinds_export_fails(void)
{
    run_out o;
    wasmgate_run(&o, (const char *[]){test_module("spec_validate.wasm"), "--request",
                                      fixture("authentication/tokenreview-v1.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK(json_is_false(wgt_get(o.reply, "status.authenticated")));
    CHECK_CONTAINS(wgt_get_str(o.reply, "status.error"),
                   "module \"spec_validate\" failed: error: module spec_validate does not export "
                   "\"authn\"");
    run_out_clear(&o);
}

static void limits_from_the_command_line_apply(void)
{
    char mod[1024], settings[64];
    snprintf(mod, sizeof mod, "%s", test_module("k8s_misbehave.wasm"));
    /* k8s_misbehave answers for uid abi-uid-1; the marker in the settings picks the failure. */
    static const struct {
        const char *marker, *option, *value, *message;
    } cases[] = {
        {"@loop@", "--timeout-ms", "100", "timeout: module misbehave: timeout: exceeded 100 ms"},
        {"@loop@", "--fuel", "100000",
         "fuel_exhausted: module misbehave: fuel exhausted after 100000 units"},
        {"@grow@", "--max-pages", "3",
         "memory_limit: module misbehave: memory limit: grow to 4 pages exceeds 3"},
        {"@trap@", "--name", "misbehave", "trap: module misbehave: trap: unreachable"},
        {"@exit3@", "--name", "misbehave", "exit: module misbehave: exited with status 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(settings, sizeof settings, "\"%s\"", cases[i].marker);
        run_out o;
        wasmgate_run(&o, (const char *[]){mod, "--name", "misbehave", cases[i].option,
                                          cases[i].value, "--settings", settings, "--request",
                                          fixture("admission/pod-create.json"), NULL});
        EXPECT_EXIT(o, 5);
        CHECK_INT(json_integer_value(wgt_get(o.reply, "response.status.code")), 500);
        if (!CHECK_CONTAINS(wgt_get_str(o.reply, "response.status.message"), cases[i].message))
            show(&o);
        run_out_clear(&o);
    }
}

static void allow_path_grants_a_directory(void)
{
    /* The grant is opened at load: an existing directory loads, a missing one does not. */
    run_out o;
    char grant[1200];
    snprintf(grant, sizeof grant, "ro:%s::/data", ABIT_MODULES);
    wasmgate_run(&o, (const char *[]){test_module("spec_validate.wasm"), "--allow-path", grant,
                                      "--request", fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 0);
    run_out_clear(&o);
    wasmgate_run(&o, (const char *[]){test_module("spec_validate.wasm"), "--allow-path",
                                      "/nonexistent-wasmgate-dir::/data", "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 1);
    CHECK_CONTAINS(o.err, "cannot open granted directory \"/nonexistent-wasmgate-dir\"");
    run_out_clear(&o);
}

static void a_reactor_module_is_initialised(void)
{
    /* reactor_ctor answers for uid abi-uid-1; on a fixture the uid mismatch shows it ran. */
    run_out o;
    wasmgate_run(&o, (const char *[]){test_module("reactor_ctor.wasm"), "--raw", "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK_CONTAINS(o.out, "\"uid\":\"abi-uid-1\"");
    CHECK_CONTAINS(o.err, "reactor_ctor: constructed\n");
    run_out_clear(&o);
}

/* ---- kubewarden ------------------------------------------------------------------------ */

static void a_kubewarden_policy_accepts_and_rejects(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", test_module("wapc_policy.wasm"));
    run_out o;
    /* Detected from its imports and exports. */
    wasmgate_run(&o,
                 (const char *[]){mod, "--request", fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 0);
    check_envelope(&o, "admission.k8s.io/v1", "AdmissionReview");
    CHECK_STR(wgt_get_str(o.reply, "response.uid"), fixture_uid(review));
    CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
    CHECK_INT(json_object_size(wgt_get(o.reply, "response")), 2);
    CHECK_CONTAINS(o.err, "validate_settings\nvalidate\n"); /* settings checked first, as at load */
    run_out_clear(&o);

    wasmgate_run(&o, (const char *[]){mod, "--abi", "kubewarden", "--settings",
                                      "{\"mode\": \"reject-me\"}", "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 3);
    CHECK_STR(wgt_get_str(o.reply, "response.uid"), fixture_uid(review));
    CHECK(json_is_false(wgt_get(o.reply, "response.allowed")));
    CHECK_INT(json_integer_value(wgt_get(o.reply, "response.status.code")), 403);
    CHECK_STR(wgt_get_str(o.reply, "response.status.message"),
              "module \"wapc_policy\" denied the request: rejected: the request contains "
              "reject-me");
    run_out_clear(&o);

    /* Settings the policy refuses: the server would not load it. */
    wasmgate_run(&o, (const char *[]){mod, "--settings", "{\"mode\": \"bad\"}", "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 1);
    CHECK_CONTAINS(o.err, "module \"wapc_policy\": the module refused its settings: the settings "
                          "contain bad");
    CHECK_STR(o.out, "");
    run_out_clear(&o);

    /* Kubewarden policies judge admission only. */
    wasmgate_run(&o, (const char *[]){mod, "--request",
                                      fixture("authentication/tokenreview-v1.json"), NULL});
    EXPECT_EXIT(o, 1);
    CHECK_CONTAINS(o.err, "the kubewarden protocol evaluates admission reviews only");
    run_out_clear(&o);
    json_decref(review);
}

static void a_mutating_kubewarden_policy_patches(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    run_out o;
    wasmgate_run(&o, (const char *[]){test_module("wapc_mutate.wasm"), "--mutating", "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 0);
    CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
    json_t *mutated = apply_reply_patch(&o, review);
    json_t *expected = json_deep_copy(wgt_get(review, "request.object"));
    json_object_set_new(json_object_get(json_object_get(expected, "metadata"), "labels"), "wapc",
                        json_string("mutated"));
    CHECK(mutated && json_equal(mutated, expected));
    json_decref(mutated);
    json_decref(expected);
    run_out_clear(&o);
    /* Not configured as mutating: a failure. */
    wasmgate_run(&o, (const char *[]){test_module("wapc_mutate.wasm"), "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK_INT(json_integer_value(wgt_get(o.reply, "response.status.code")), 500);
    run_out_clear(&o);
    json_decref(review);
}

static void a_guest_error_fails_the_policy(void)
{
    run_out o;
    wasmgate_run(&o, (const char *[]){test_module("wapc_guest_error.wasm"), "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK(json_is_false(wgt_get(o.reply, "response.allowed")));
    CHECK_INT(json_integer_value(wgt_get(o.reply, "response.status.code")), 500);
    CHECK_STR(wgt_get_str(o.reply, "response.status.message"),
              "module \"wapc_guest_error\" failed: guest_error: module wapc_guest_error: guest "
              "error: wapc_guest_error: the policy broke");
    run_out_clear(&o);
}

static void a_denied_host_call_is_what_the_policy_sees(void)
{
    run_out o;
    wasmgate_run(&o, (const char *[]){test_module("wapc_host_call.wasm"), "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 3);
    CHECK(json_is_false(wgt_get(o.reply, "response.allowed")));
    CHECK_STR(wgt_get_str(o.reply, "response.status.message"),
              "module \"wapc_host_call\" denied the request: policy has not been granted access "
              "to kubernetes/list_resources_by_namespace");
    CHECK_CONTAINS(o.err, "wasmgate: module wapc_host_call: denied __host_call \"kubewarden\" "
                          "\"kubernetes\" \"list_resources_by_namespace\" (not granted)");
    CHECK_CONTAINS(o.err, "{\"level\":\"info\",\"message\":\"hello from tracing\"}");
    run_out_clear(&o);
}

static void start_up_code_runs_before_the_call(void)
{
    run_out o;
    wasmgate_run(&o, (const char *[]){test_module("wapc_init.wasm"), "--request",
                                      fixture("admission/pod-create-v1beta1.json"), NULL});
    EXPECT_EXIT(o, 0);
    check_envelope(&o, "admission.k8s.io/v1beta1", "AdmissionReview");
    CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
    run_out_clear(&o);
}

/* ---- examples -------------------------------------------------------------------------- */

#define TOKEN "eyJhbGciOiJub25lIn0.bWFnaWM.c2ln"

static void token_authn_authenticates_known_tokens(void)
{
    const char *settings =
        "{\"tokens\": {\"" TOKEN "\": {\"username\": \"jane\", \"uid\": \"42\","
        " \"groups\": [\"dev\", \"ops\"], \"extra\": {\"scopes\": [\"openid\"]}},"
        " \"magic-token\": {\"username\": \"svc\", \"audiences\": [\"https://example.com\"]}}}";
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", example("token-authn"));
    static const char *const versions[][2] = {
        {"authentication/tokenreview-v1.json", "authentication.k8s.io/v1"},
        {"authentication/tokenreview-v1beta1.json", "authentication.k8s.io/v1beta1"},
    };
    for (size_t i = 0; i < 2; i++) {
        run_out o;
        wasmgate_run(&o, (const char *[]){mod, "--settings", settings, "--request",
                                          fixture(versions[i][0]), NULL});
        EXPECT_EXIT(o, 0);
        check_envelope(&o, versions[i][1], "TokenReview");
        CHECK(json_is_true(wgt_get(o.reply, "status.authenticated")));
        CHECK_JSON(wgt_get(o.reply, "status.user"),
                   "{\"username\": \"jane\", \"uid\": \"42\", \"groups\": [\"dev\", \"ops\"],"
                   " \"extra\": {\"scopes\": [\"openid\"]}}");
        CHECK_JSON(wgt_get(o.reply, "status.audiences"), "[\"https://kubernetes.default.svc\"]");
        CHECK(wgt_get(o.reply, "status.error") == NULL);
        CHECK_NOT_CONTAINS(o.out, TOKEN); /* the token never travels back */
        run_out_clear(&o);
    }
    /* No audiences requested: the token's own are reported. */
    run_out o;
    wasmgate_run(&o,
                 (const char *[]){mod, "--settings", settings, "--request",
                                  fixture("authentication/tokenreview-v1-noaudience.json"), NULL});
    EXPECT_EXIT(o, 0);
    CHECK_STR(wgt_get_str(o.reply, "status.user.username"), "svc");
    CHECK_JSON(wgt_get(o.reply, "status.audiences"), "[\"https://example.com\"]");
    run_out_clear(&o);
    /* An unknown token: not authenticated, exit 3. */
    wasmgate_run(&o, (const char *[]){mod, "--settings", "{\"tokens\": {}}", "--request",
                                      fixture("authentication/tokenreview-v1.json"), NULL});
    EXPECT_EXIT(o, 3);
    CHECK(json_is_false(wgt_get(o.reply, "status.authenticated")));
    CHECK(wgt_get(o.reply, "status.user") == NULL);
    CHECK_CONTAINS(wgt_get_str(o.reply, "status.error"), "module \"token-authn\": ");
    CHECK_NOT_CONTAINS(o.out, TOKEN);
    run_out_clear(&o);
}

static void group_authz_allows_denies_or_has_no_opinion(void)
{
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", example("group-authz"));
    const char *allow =
        "{\"rules\": [{\"groups\": [\"developers\"], \"verbs\": [\"get\", \"list\"],"
        " \"resources\": [\"pods\"], \"namespaces\": [\"default\"]}]}";
    static const char *const versions[][2] = {
        {"authorization/sar-v1-resource.json", "authorization.k8s.io/v1"},
        {"authorization/sar-v1beta1-resource.json", "authorization.k8s.io/v1beta1"},
    };
    for (size_t i = 0; i < 2; i++) {
        run_out o;
        wasmgate_run(&o, (const char *[]){mod, "--settings", allow, "--request",
                                          fixture(versions[i][0]), NULL});
        EXPECT_EXIT(o, 0);
        check_envelope(&o, versions[i][1], "SubjectAccessReview");
        CHECK(json_is_true(wgt_get(o.reply, "status.allowed")));
        CHECK(wgt_get(o.reply, "status.denied") == NULL);
        CHECK_STR(wgt_get_str(o.reply, "status.reason"),
                  "module \"group-authz\": allowed by rules[0]");
        run_out_clear(&o);
    }
    run_out o;
    wasmgate_run(
        &o, (const char *[]){mod, "--settings",
                             "{\"rules\": [], \"deny\": [{\"users\": [\"jane@example.com\"],"
                             " \"verbs\": [\"*\"], \"resources\": [\"*\"]}]}",
                             "--request", fixture("authorization/sar-v1-resource.json"), NULL});
    EXPECT_EXIT(o, 3);
    CHECK(json_is_false(wgt_get(o.reply, "status.allowed")));
    CHECK(json_is_true(wgt_get(o.reply, "status.denied")));
    CHECK_CONTAINS(wgt_get_str(o.reply, "status.reason"), "module \"group-authz\": ");
    run_out_clear(&o);
    wasmgate_run(&o, (const char *[]){mod, "--settings", allow, "--request",
                                      fixture("authorization/sar-v1-nonresource.json"), NULL});
    EXPECT_EXIT(o, 4);
    CHECK(json_is_false(wgt_get(o.reply, "status.allowed")));
    CHECK(wgt_get(o.reply, "status.denied") == NULL);
    run_out_clear(&o);
    /* Broken settings are a module failure: failurePolicy Fail denies. */
    wasmgate_run(&o, (const char *[]){mod, "--settings", "{\"rules\": 3}", "--request",
                                      fixture("authorization/sar-v1-resource.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK(json_is_true(wgt_get(o.reply, "status.denied")));
    CHECK_STR(wgt_get_str(o.reply, "status.reason"),
              "module \"group-authz\" failed (failurePolicy Fail)");
    run_out_clear(&o);
}

static void deny_privileged_refuses_privileged_pods(void)
{
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", example("deny-privileged"));
    json_t *review = wgt_fixture_json("admission/pod-privileged-create.json");
    run_out o;
    wasmgate_run(&o, (const char *[]){mod, "--request",
                                      fixture("admission/pod-privileged-create.json"), NULL});
    EXPECT_EXIT(o, 3);
    check_envelope(&o, "admission.k8s.io/v1", "AdmissionReview");
    CHECK_STR(wgt_get_str(o.reply, "response.uid"), fixture_uid(review));
    CHECK(json_is_false(wgt_get(o.reply, "response.allowed")));
    CHECK_INT(json_integer_value(wgt_get(o.reply, "response.status.code")), 403);
    CHECK_CONTAINS(wgt_get_str(o.reply, "response.status.message"),
                   "module \"deny-privileged\" denied the request: ");
    CHECK_CONTAINS(wgt_get_str(o.reply, "response.status.message"), "is privileged");
    run_out_clear(&o);
    json_decref(review);
    static const char *const allowed[] = {
        "admission/pod-create.json", "admission/deployment-create.json",
        "admission/configmap-delete.json", "admission/deployment-scale-update.json"};
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        wasmgate_run(&o, (const char *[]){mod, "--request", fixture(allowed[i]), NULL});
        EXPECT_EXIT(o, 0);
        CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
        run_out_clear(&o);
    }
    /* An exempt namespace (the fixture's is team-a) is admitted, with an audit annotation. */
    wasmgate_run(&o, (const char *[]){mod, "--settings", "{\"exemptNamespaces\": [\"team-a\"]}",
                                      "--request", fixture("admission/pod-privileged-create.json"),
                                      NULL});
    EXPECT_EXIT(o, 0);
    CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
    CHECK(json_object_size(wgt_get(o.reply, "response.auditAnnotations")) == 1);
    run_out_clear(&o);
}

static void require_labels_names_the_missing_labels(void)
{
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", example("require-labels"));
    run_out o;
    wasmgate_run(&o, (const char *[]){mod, "--settings", "{\"labels\": [\"team\", \"app\"]}",
                                      "--request", fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 3);
    CHECK(json_is_false(wgt_get(o.reply, "response.allowed")));
    CHECK_INT(json_integer_value(wgt_get(o.reply, "response.status.code")), 403);
    CHECK_STR(wgt_get_str(o.reply, "response.status.message"),
              "module \"require-labels\" denied the request: Pod \"default/nginx\" is missing "
              "required label \"team\"");
    run_out_clear(&o);
    wasmgate_run(&o, (const char *[]){mod, "--settings", "{\"labels\": [\"app\", \"env\"]}",
                                      "--request", fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 0);
    CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
    run_out_clear(&o);
    /* Without settings the module answers {"error"}: a failure, denied with 500. */
    wasmgate_run(&o,
                 (const char *[]){mod, "--request", fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK_INT(json_integer_value(wgt_get(o.reply, "response.status.code")), 500);
    CHECK_CONTAINS(wgt_get_str(o.reply, "response.status.message"), "settings.labels");
    run_out_clear(&o);
}

static void deny_hostpath_refuses_host_directories(void)
{
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", example("deny-hostpath"));
    run_out o;
    wasmgate_run(&o, (const char *[]){mod, "--request",
                                      fixture("admission/pod-hostpath-create.json"), NULL});
    EXPECT_EXIT(o, 3);
    CHECK(json_is_false(wgt_get(o.reply, "response.allowed")));
    CHECK_CONTAINS(wgt_get_str(o.reply, "response.status.message"), "/var/log");
    run_out_clear(&o);
    wasmgate_run(&o, (const char *[]){mod, "--settings",
                                      "{\"allowedPathPrefixes\": [\"/var/log\"]}", "--request",
                                      fixture("admission/pod-hostpath-create.json"), NULL});
    EXPECT_EXIT(o, 0);
    CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
    run_out_clear(&o);
    wasmgate_run(&o,
                 (const char *[]){mod, "--request", fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 0);
    run_out_clear(&o);
}

#define DEFAULTS                                                    \
    "{\"labels\": {\"owner\": \"platform\", \"app\": \"not-this\"," \
    " \"app.kubernetes.io/part-of\": \"shop\"},"                    \
    " \"annotations\": {\"example.com/defaulted\": \"true\"},"      \
    " \"requests\": {\"cpu\": \"100m\", \"memory\": \"64Mi\"}"

static void add_defaults_patch_gives_the_expected_object(void)
{
    char mod[1024];
    snprintf(mod, sizeof mod, "%s", example("add-defaults"));
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    /* The expected Pod: missing labels and annotations added, "app" kept, requests added. */
    json_t *expected = json_deep_copy(wgt_get(review, "request.object"));
    json_t *metadata = json_object_get(expected, "metadata");
    json_object_set_new(json_object_get(metadata, "labels"), "owner", json_string("platform"));
    json_object_set_new(json_object_get(metadata, "labels"), "app.kubernetes.io/part-of",
                        json_string("shop"));
    json_object_set_new(metadata, "annotations",
                        json_pack("{ss}", "example.com/defaulted", "true"));
    json_object_set_new(
        json_object_get(json_array_get(wgt_get(expected, "spec.containers"), 0), "resources"),
        "requests", json_pack("{ssss}", "cpu", "100m", "memory", "64Mi"));
    /* The module's JSONPatch form and its Full form give the same reply. */
    static const char *const settings[] = {DEFAULTS "}", DEFAULTS ", \"patchType\": \"Full\"}"};
    for (size_t i = 0; i < 2; i++) {
        run_out o;
        wasmgate_run(&o, (const char *[]){mod, "--mutating", "--settings", settings[i], "--request",
                                          fixture("admission/pod-create.json"), NULL});
        EXPECT_EXIT(o, 0);
        check_envelope(&o, "admission.k8s.io/v1", "AdmissionReview");
        CHECK_STR(wgt_get_str(o.reply, "response.uid"), fixture_uid(review));
        CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
        CHECK(wgt_get(o.reply, "response.status") == NULL);
        CHECK_STR(wgt_get_str(o.reply, "response.auditAnnotations.add-defaults"),
                  "added 2 label(s), 1 annotation(s), requests to 1 container(s)");
        json_t *mutated = apply_reply_patch(&o, review);
        if (!CHECK(mutated && json_equal(mutated, expected))) show(&o);
        json_decref(mutated);
        run_out_clear(&o);
    }
    /* A workload template gets requests in every container. */
    json_t *deployment = wgt_fixture_json("admission/deployment-create.json");
    run_out o;
    wasmgate_run(&o, (const char *[]){mod, "--mutating", "--settings", DEFAULTS "}", "--request",
                                      fixture("admission/deployment-create.json"), NULL});
    EXPECT_EXIT(o, 0);
    json_t *mutated = apply_reply_patch(&o, deployment);
    json_t *containers = wgt_get(mutated, "spec.template.spec.containers");
    CHECK(json_array_size(containers) > 0);
    for (size_t c = 0; c < json_array_size(containers); c++)
        CHECK_JSON(wgt_get(json_array_get(containers, c), "resources.requests"),
                   "{\"cpu\": \"100m\", \"memory\": \"64Mi\"}");
    CHECK_STR(wgt_get_str(mutated, "metadata.labels.owner"), "platform");
    json_decref(mutated);
    run_out_clear(&o);
    json_decref(deployment);
    /* On a validating endpoint the same module's patch is a failure. */
    wasmgate_run(&o, (const char *[]){mod, "--settings", DEFAULTS "}", "--request",
                                      fixture("admission/pod-create.json"), NULL});
    EXPECT_EXIT(o, 5);
    CHECK(json_is_false(wgt_get(o.reply, "response.allowed")));
    CHECK(wgt_get(o.reply, "response.patch") == NULL);
    run_out_clear(&o);
    /* DELETE: nothing to mutate, admitted without a patch. */
    wasmgate_run(&o, (const char *[]){mod, "--mutating", "--settings", DEFAULTS "}", "--request",
                                      fixture("admission/configmap-delete.json"), NULL});
    EXPECT_EXIT(o, 0);
    CHECK(json_is_true(wgt_get(o.reply, "response.allowed")));
    CHECK(wgt_get(o.reply, "response.patch") == NULL);
    run_out_clear(&o);
    json_decref(expected);
    json_decref(review);
}

static void every_example_answers_every_fixture_of_its_kind(void)
{
    /* No crash, no sanitizer report, a reply of the request's kind, a documented status. */
    static const struct {
        const char *name, *settings, *dir;
    } examples[] = {
        {"token-authn", "{\"tokens\": {}}", "authentication"},
        {"group-authz", "{\"rules\": []}", "authorization"},
        {"deny-privileged", NULL, "admission"},
        {"require-labels", "{\"labels\": [\"app\"]}", "admission"},
        {"deny-hostpath", NULL, "admission"},
        {"add-defaults", "{\"labels\": {\"owner\": \"x\"}}", "admission"},
    };
    for (size_t e = 0; e < sizeof examples / sizeof examples[0]; e++) {
        char mod[1024];
        snprintf(mod, sizeof mod, "%s", example(examples[e].name));
        for (const char *const *f = wgt_all_fixtures; *f; f++) {
            const char *rel = *f;
            if (!in_dir(rel, examples[e].dir)) continue;
            const char *args[8];
            size_t k = 0;
            args[k++] = mod;
            if (strcmp(examples[e].name, "add-defaults") == 0) args[k++] = "--mutating";
            if (examples[e].settings) {
                args[k++] = "--settings";
                args[k++] = examples[e].settings;
            }
            args[k++] = "--request";
            args[k++] = fixture(rel);
            args[k] = NULL;
            run_out o;
            wasmgate_run(&o, args);
            if (!CHECK(o.exit == 0 || o.exit == 3 || o.exit == 4) || !CHECK(o.reply != NULL)) {
                fprintf(stderr, "    %s on %s\n", examples[e].name, rel);
                show(&o);
            }
            run_out_clear(&o);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s WASMGATE cli|spec|kubewarden|examples [EXAMPLES_DIR]\n",
                argv[0]);
        return 2;
    }
    wasmgate_path = argv[1];
    const char *suite = argv[2];
    if (strcmp(suite, "cli") == 0) {
        RUN(help_and_usage_errors);
        RUN(input_errors_exit_with_1);
        RUN(run_is_listed_among_the_commands);
    } else if (strcmp(suite, "spec") == 0) {
        RUN(spec_validate_allows_every_admission_fixture);
        RUN(the_full_patch_of_the_spec_becomes_a_json_patch);
        RUN(a_patch_from_a_validating_module_is_a_module_failure);
        RUN(an_error_answer_fails_by_failure_policy_for_every_kind);
        RUN(a_module_without_the_kinds_export_fails);
        RUN(limits_from_the_command_line_apply);
        RUN(allow_path_grants_a_directory);
        RUN(a_reactor_module_is_initialised);
    } else if (strcmp(suite, "kubewarden") == 0) {
        RUN(a_kubewarden_policy_accepts_and_rejects);
        RUN(a_mutating_kubewarden_policy_patches);
        RUN(a_guest_error_fails_the_policy);
        RUN(a_denied_host_call_is_what_the_policy_sees);
        RUN(start_up_code_runs_before_the_call);
    } else if (strcmp(suite, "examples") == 0 && argc > 3) {
        examples_dir = argv[3];
        RUN(token_authn_authenticates_known_tokens);
        RUN(group_authz_allows_denies_or_has_no_opinion);
        RUN(deny_privileged_refuses_privileged_pods);
        RUN(require_labels_names_the_missing_labels);
        RUN(deny_hostpath_refuses_host_directories);
        RUN(add_defaults_patch_gives_the_expected_object);
        RUN(every_example_answers_every_fixture_of_its_kind);
    } else {
        fprintf(stderr, "unknown suite '%s'\n", suite);
        return 2;
    }
    return wgt_finish();
}
