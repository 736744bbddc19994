/*
 * cmd_run.c — `wasmgate run MODULE --request FILE`: evaluates one review with one module
 * exactly as `wasmgate serve` would, and prints the reply kube-apiserver would receive.
 *
 * "Exactly as the server would" means the same code path: the review is parsed and
 * validated by the Kubernetes layer (wgk8s_review_parse), the module becomes a one-module
 * chain (wgk8s_module) whose call runs it through the ABI layer (wgabi_call) in the sandbox
 * with the server's default limits, and the review's kind picks the chain
 * (wgk8s_authenticate, wgk8s_authorize, wgk8s_admit) and so the export. Module failures
 * become the reply the server would give under the module's failurePolicy.
 *
 * For module authors the command also says, on stderr, what the reply alone does not: the
 * module's own log (WASI stderr, waPC console log), why a failed module failed, and the
 * decoded JSON Patch of a mutation. The exit status tells allowed, denied, no opinion and
 * module failure apart (see cli_run_usage).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "wasmgate/abi.h"
#include "wasmgate/k8s.h"
#include "wasmgate/sandbox.h"
#include "wasmgate/wg.h"

const char cli_run_usage[] =
    "usage: wasmgate run MODULE.wasm --request FILE [OPTIONS]\n"
    "\n"
    "Evaluates one review with one module exactly as `wasmgate serve` would and prints\n"
    "the reply kube-apiserver would receive (pretty JSON) on stdout. FILE holds the\n"
    "review as kube-apiserver sends it (TokenReview, SubjectAccessReview or\n"
    "AdmissionReview, \"-\" for stdin); its kind picks the export (authn, authz,\n"
    "validate). The module's log goes to stderr, with why it failed if it did.\n"
    "\n"
    "options:\n"
    "  --request FILE          the review to evaluate (required)\n"
    "  --abi ABI               k8s-wasm or kubewarden (default: detected from the\n"
    "                          module's imports and exports, as `wasmgate inspect` shows)\n"
    "  --settings JSON|@FILE   the module's settings, as JSON text or from a file\n"
    "  --mutating              admission: the module is a mutating one, evaluated as on\n"
    "                          the server's /mutate endpoint (the reply carries its JSON\n"
    "                          Patch); by default it is a validating one, and a module that\n"
    "                          answers with a patch anyway has failed\n"
    "  --failure-policy P      Fail (default) or Ignore: what a module failure means\n"
    "  --raw                   print the module's own output instead of the reply\n"
    "  --name NAME             the module's name in messages (default: the file name\n"
    "                          without .wasm)\n"
    "  --timeout-ms N          wall-clock limit in milliseconds (default 2000; 0 = none)\n"
    "  --fuel N                instruction budget (default: unlimited)\n"
    "  --max-pages N           linear memory limit in 64 KiB pages (default 256)\n"
    "  --allow-path [ro:]HOST::GUEST\n"
    "                          grant directory HOST as GUEST (repeatable; \"ro:\" read-only)\n"
    "  -h, --help              show this help\n"
    "\n"
    "exit status:\n"
    "  0  allowed: admitted, authenticated, or authorized\n"
    "  1  could not evaluate: a file cannot be read, the request is not a review, the\n"
    "     module does not load, or its settings are refused (Kubewarden validate_settings)\n"
    "  2  usage error\n"
    "  3  denied: admission denied, token not authenticated, or authorization denied\n"
    "  4  no opinion (SubjectAccessReview: neither allowed nor denied)\n"
    "  5  the module failed (trap, timeout, limit, {\"error\": ...}, unusable answer); the\n"
    "     reply printed is what the server answers under the failure policy\n";

enum { RUN_EXIT_DENIED = 3, RUN_EXIT_NO_OPINION = 4, RUN_EXIT_MODULE_FAILED = 5 };

/* What the command line asked for. */
typedef struct run_options {
    const char *module_path;
    const char *request_path;
    const char *abi;
    const char *settings;
    const char *failure_policy;
    const char *name;
    bool mutating, raw;
    wgsb_manifest manifest;
} run_options;

/*
 * The module as the chain's callback sees it, and what the callback observed: whether the
 * module failed (the call itself, or an answer the Kubernetes layer cannot use — the same
 * test the chain makes) and its raw output for --raw.
 */
typedef struct run_module {
    wgabi_module *abi;
    const wgk8s_review *review;
    wgk8s_kind kind;
    wgk8s_protocol protocol;
    bool mutating;
    bool called, failed;
    char failure[1024];
    char *raw_output;
    size_t raw_len;
} run_module;

/* The module's default name: its file name without directories and ".wasm". */
static char *default_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash && slash[1] ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".wasm") == 0) n -= 5;
    return strndup(base, n);
}

/* Reads FILE, or stdin for "-". */
static uint8_t *read_input(const char *path, size_t *len, char *err, size_t errsz)
{
    return cli_read_file(strcmp(path, "-") == 0 ? "/dev/stdin" : path, len, err, errsz);
}

/*
 * Parses the command line into o. Returns -1 to go on, else the exit status (help printed
 * or a usage error reported).
 */
static int parse_args(int argc, char **argv, run_options *o)
{
    static const char *const with_value[] = {"--request",        "--abi",       "--settings",
                                             "--failure-policy", "--name",      "--timeout-ms",
                                             "--fuel",           "--max-pages", "--allow-path"};
    wgsb_limits *lim = &o->manifest.limits;
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            if (o->module_path)
                return cli_usage_error("run", cli_run_usage,
                                       "expected one MODULE, got '%s' and '%s'", o->module_path,
                                       arg);
            o->module_path = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(cli_run_usage, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(arg, "--mutating") == 0) {
            o->mutating = true;
            continue;
        }
        if (strcmp(arg, "--raw") == 0) {
            o->raw = true;
            continue;
        }
        const char *value;
        const char *name = cli_value_option("run", cli_run_usage, argc, argv, &i, with_value,
                                            sizeof with_value / sizeof with_value[0], &value);
        if (!name) return CLI_EXIT_USAGE;
        char err[256];
        if (strcmp(name, "--request") == 0) {
            o->request_path = value;
        } else if (strcmp(name, "--abi") == 0) {
            wgabi_kind k = wgabi_kind_parse(value);
            if (k != WGABI_K8S_WASM && k != WGABI_KUBEWARDEN && k != WGABI_EXTISM)
                return cli_usage_error("run", cli_run_usage,
                                       "--abi '%s': expected k8s-wasm or kubewarden", value);
            o->abi = value;
        } else if (strcmp(name, "--settings") == 0) {
            o->settings = value;
        } else if (strcmp(name, "--failure-policy") == 0) {
            if (strcmp(value, "Fail") != 0 && strcmp(value, "Ignore") != 0)
                return cli_usage_error("run", cli_run_usage,
                                       "--failure-policy '%s': expected Fail or Ignore", value);
            o->failure_policy = value;
        } else if (strcmp(name, "--name") == 0) {
            if (!*value) return cli_usage_error("run", cli_run_usage, "--name: empty name");
            o->name = value;
        } else if (strcmp(name, "--allow-path") == 0) {
            if (!wgsb_manifest_add_path_spec(&o->manifest, value, err, sizeof err))
                return cli_usage_error("run", cli_run_usage, "--allow-path: %s", err);
        } else if (!cli_limit_option("run", cli_run_usage, name, value, lim)) {
            return CLI_EXIT_USAGE;
        }
    }
    if (!o->module_path) return cli_usage_error("run", cli_run_usage, "missing MODULE");
    if (!o->request_path) return cli_usage_error("run", cli_run_usage, "missing --request FILE");
    return -1;
}

/* Keeps a copy of the module's raw output (for --raw); the latest call's wins. */
static void keep_raw_output(run_module *rm, const char *out, size_t len)
{
    free(rm->raw_output);
    rm->raw_output = malloc(len + 1);
    rm->raw_len = rm->raw_output ? len : 0;
    if (rm->raw_output) {
        if (len) memcpy(rm->raw_output, out, len);
        rm->raw_output[len] = '\0';
    }
}

/*
 * Whether the Kubernetes layer can use this answer: the same interpretation the chain makes
 * of it, repeated here only to learn whether the module failed (the reply folds failures
 * into denials or warnings, by failure policy).
 */
static void judge_output(run_module *rm, const char *out, size_t len)
{
    const json_t *review = wgk8s_review_json(rm->review);
    char err[1024] = "";
    wgk8s_status st;
    switch (rm->kind) {
    case WGK8S_TOKEN_REVIEW: {
        wgk8s_authn_decision d;
        st = wgk8s_authn_interpret(rm->protocol, review, out, len, &d, err, sizeof err);
        if (st == WGK8S_OK) wgk8s_authn_decision_clear(&d);
        break;
    }
    case WGK8S_SUBJECT_ACCESS_REVIEW: {
        wgk8s_authz_decision d;
        st = wgk8s_authz_interpret(rm->protocol, review, out, len, &d, err, sizeof err);
        if (st == WGK8S_OK) wgk8s_authz_decision_clear(&d);
        break;
    }
    default: {
        wgk8s_admission_decision d;
        st = wgk8s_admission_interpret(rm->protocol, review, rm->mutating, out, len, &d, err,
                                       sizeof err);
        if (st == WGK8S_OK) wgk8s_admission_decision_clear(&d);
        break;
    }
    }
    if (st != WGK8S_OK) {
        rm->failed = true;
        snprintf(rm->failure, sizeof rm->failure, "%s", err);
    }
}

/* The chain's callback (wgk8s_call_fn): one call through the ABI layer, as the server makes. */
static int call_module(void *mod, const char *entry, const char *in, size_t inlen, char **out,
                       size_t *outlen, char *err, size_t errsz)
{
    run_module *rm = mod;
    wgabi_result r;
    wgabi_status st = wgabi_call(rm->abi, entry, in, inlen, 0, &r);
    rm->called = true;
    if (r.log && r.log_len) {
        fwrite(r.log, 1, r.log_len, stderr);
        if (r.log[r.log_len - 1] != '\n') fputc('\n', stderr);
    }
    keep_raw_output(rm, r.output ? r.output : "", r.output ? r.output_len : 0);
    if (st != WGABI_OK) {
        /* Labelled as the server labels it (src/server/evaluate.c): the same reply, to the letter. */
        snprintf(err, errsz, "%s: %s", wgabi_status_label(st),
                 r.message[0] ? r.message : wgabi_status_name(st));
        rm->failed = true;
        snprintf(rm->failure, sizeof rm->failure, "%s", err);
        wgabi_result_clear(&r);
        return 1;
    }
    judge_output(rm, r.output ? r.output : "", r.output ? r.output_len : 0);
    /* The output is malloc'd and the Kubernetes layer frees it with free(): hand it over. */
    *out = r.output;
    *outlen = r.output_len;
    r.output = NULL;
    wgabi_result_clear(&r);
    return 0;
}

/*
 * Kubewarden policies check their settings once, when the server loads them; a policy whose
 * settings are refused never serves. Returns false with the reason.
 */
static bool kubewarden_settings_valid(wgabi_module *m, const char *settings, char *msg,
                                      size_t msgsz)
{
    const char *input = settings ? settings : "{}";
    wgabi_result r;
    wgabi_status st = wgabi_call(m, "validate_settings", input, strlen(input), 0, &r);
    if (r.log && r.log_len) fwrite(r.log, 1, r.log_len, stderr);
    if (st != WGABI_OK) {
        snprintf(msg, msgsz, "validate_settings failed (%s): %s", wgabi_status_name(st), r.message);
        wgabi_result_clear(&r);
        return false;
    }
    json_t *reply = json_loadb(r.output ? r.output : "", r.output_len, 0, NULL);
    wgabi_result_clear(&r);
    json_t *valid = json_object_get(reply, "valid");
    bool ok = json_is_true(valid);
    if (!json_is_boolean(valid)) {
        snprintf(msg, msgsz, "validate_settings: the reply is not {\"valid\": true|false, ...}");
    } else if (!ok) {
        const char *why = json_string_value(json_object_get(reply, "message"));
        snprintf(msg, msgsz, "the module refused its settings: %s", why ? why : "(no message)");
    }
    json_decref(reply);
    return ok;
}

/* Settings from --settings: the text itself, or a file's contents for "@FILE". */
static char *load_settings(const char *arg, char *err, size_t errsz)
{
    if (!arg) return NULL;
    if (arg[0] != '@') return strdup(arg);
    size_t len;
    return (char *)read_input(arg + 1, &len, err, errsz);
}

/* Prints the decoded JSON Patch of an admission reply on stderr, for the module's author. */
static void note_patch(const json_t *reply)
{
    const char *b64 =
        json_string_value(json_object_get(json_object_get(reply, "response"), "patch"));
    if (!b64) return;
    size_t len;
    unsigned char *text = wgk8s_base64_decode(b64, strlen(b64), &len, NULL, 0);
    json_t *patch = text ? json_loadb((const char *)text, len, 0, NULL) : NULL;
    char *compact = patch ? json_dumps(patch, JSON_COMPACT) : NULL;
    if (compact) fprintf(stderr, "%s run: JSON Patch: %s\n", CLI_PROGRAM, compact);
    free(compact);
    json_decref(patch);
    free(text);
}

/* The exit status for a reply: allowed, denied or no opinion (module failures aside). */
static int verdict_status(wgk8s_kind kind, const json_t *reply)
{
    const json_t *status = json_object_get(reply, "status");
    switch (kind) {
    case WGK8S_TOKEN_REVIEW:
        return json_is_true(json_object_get(status, "authenticated")) ? CLI_EXIT_OK
                                                                      : RUN_EXIT_DENIED;
    case WGK8S_SUBJECT_ACCESS_REVIEW:
        if (json_is_true(json_object_get(status, "allowed"))) return CLI_EXIT_OK;
        return json_is_true(json_object_get(status, "denied")) ? RUN_EXIT_DENIED
                                                               : RUN_EXIT_NO_OPINION;
    default:
        return json_is_true(json_object_get(json_object_get(reply, "response"), "allowed"))
                   ? CLI_EXIT_OK
                   : RUN_EXIT_DENIED;
    }
}

/* Loads the module under the manifest: ABI from --abi or detected. NULL after reporting. */
static wgabi_module *load_module(const run_options *o)
{
    char err[1024];
    size_t len;
    wg_module *wasm = cli_load_module("run", o->module_path, &len);
    if (!wasm) return NULL;
    wgabi_kind kind = o->abi ? wgabi_kind_parse(o->abi) : wgabi_detect(wasm);
    wgabi_module *m = NULL;
    if (!kind)
        cli_error("run",
                  "%s: cannot tell the module's ABI from its imports and exports; "
                  "give --abi k8s-wasm or --abi kubewarden",
                  o->module_path);
    else if (!(m = wgabi_module_new(wasm, kind, &o->manifest, err, sizeof err)))
        cli_error("run", "%s", err);
    wg_module_free(wasm);
    return m;
}

/* Evaluates the review; returns the exit status. */
static int evaluate(run_options *o)
{
    char err[1024];
    int status = CLI_EXIT_FAILURE;
    size_t body_len;
    uint8_t *body = read_input(o->request_path, &body_len, err, sizeof err);
    if (!body) {
        cli_error("run", "%s", err);
        return CLI_EXIT_FAILURE;
    }
    wgk8s_review *review = NULL;
    wgabi_module *abi = NULL;
    char *settings = NULL;
    json_t *reply = NULL;
    run_module rm;
    memset(&rm, 0, sizeof rm);

    if (wgk8s_review_parse((const char *)body, body_len, WGK8S_KIND_ANY, &review, err,
                           sizeof err) != WGK8S_OK) {
        cli_error("run", "%s: %s", o->request_path, err);
        goto done;
    }
    if (o->settings && !(settings = load_settings(o->settings, err, sizeof err))) {
        cli_error("run", "--settings: %s", o->settings[0] == '@' ? err : "out of memory");
        goto done;
    }
    if (!(abi = load_module(o))) goto done;

    wgk8s_kind kind = wgk8s_review_kind(review);
    bool kubewarden = wgabi_module_kind(abi) == WGABI_KUBEWARDEN;
    rm.abi = abi;
    rm.review = review;
    rm.kind = kind;
    rm.protocol = kubewarden ? WGK8S_PROTOCOL_KUBEWARDEN : WGK8S_PROTOCOL_K8S_WASM;
    rm.mutating = o->mutating;
    wgk8s_module desc = {
        .name = o->manifest.name,
        .protocol = rm.protocol,
        .mutating = o->mutating,
        .failure_policy = o->failure_policy && strcmp(o->failure_policy, "Ignore") == 0
                              ? WGK8S_FAILURE_IGNORE
                              : WGK8S_FAILURE_FAIL,
        .rules = NULL, /* the request is the one to judge: no rules filter it */
        .settings_json = settings,
        .mod = &rm,
        .call = call_module,
    };
    if (!wgk8s_module_check(&desc, kind, err, sizeof err)) {
        cli_error("run", "%s", err);
        goto done;
    }
    if (kubewarden && !kubewarden_settings_valid(abi, settings, err, sizeof err)) {
        cli_error("run", "module \"%s\": %s", desc.name, err);
        goto done;
    }

    wgk8s_status st;
    switch (kind) {
    case WGK8S_TOKEN_REVIEW:
        st = wgk8s_authenticate(review, &desc, 1, &reply, err, sizeof err);
        break;
    case WGK8S_SUBJECT_ACCESS_REVIEW:
        st = wgk8s_authorize(review, &desc, 1, &reply, err, sizeof err);
        break;
    default:
        st = wgk8s_admit(review, &desc, 1, o->mutating ? WGK8S_ADMIT_MUTATE : WGK8S_ADMIT_VALIDATE,
                         &reply, err, sizeof err);
        break;
    }
    if (st != WGK8S_OK || !reply) {
        cli_error("run", "cannot evaluate the review: %s", err);
        goto done;
    }

    if (o->raw) {
        if (rm.raw_output) fwrite(rm.raw_output, 1, rm.raw_len, stdout);
    } else {
        char *text = json_dumps(reply, JSON_INDENT(2));
        if (!text) {
            cli_error("run", "out of memory");
            goto done;
        }
        printf("%s\n", text);
        free(text);
        if (kind == WGK8S_ADMISSION_REVIEW) note_patch(reply);
    }
    if (rm.failed) {
        cli_error("run", "module \"%s\" failed: %s", desc.name, rm.failure);
        status = RUN_EXIT_MODULE_FAILED;
    } else {
        status = verdict_status(kind, reply);
    }

done:
    json_decref(reply);
    wgabi_module_free(abi);
    wgk8s_review_free(review);
    free(settings);
    free(rm.raw_output);
    free(body);
    return status;
}

int cli_cmd_run(int argc, char **argv)
{
    run_options o;
    memset(&o, 0, sizeof o);
    wgsb_manifest_init(&o.manifest); /* the server's defaults: 2000 ms, 256 pages, ... */
    int status = parse_args(argc, argv, &o);
    if (status < 0) {
        char *name = o.name ? strdup(o.name) : default_name(o.module_path);
        if (!name || !wgsb_manifest_set_name(&o.manifest, name)) {
            cli_error("run", "out of memory");
            status = CLI_EXIT_FAILURE;
        } else {
            status = evaluate(&o);
        }
        free(name);
    }
    wgsb_manifest_clear(&o.manifest);
    return status;
}
