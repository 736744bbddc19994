/*
 * test_config.c — the configuration file: what parses, what each field becomes, and that
 * every mistake is reported with the file, the line, the field path and what is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "srvtest.h"

static char err[8192];

/* Writes wasmgate.yaml in the test directory (the current directory) and parses it. */
static wgsrv_config *parse(const char *yaml)
{
    srvt_write("wasmgate.yaml", yaml);
    return wgsrv_config_load_file("wasmgate.yaml", err, sizeof err);
}

static void expect_error(const char *yaml, const char *message)
{
    wgsrv_config *cfg = parse(yaml);
    if (!CHECK(cfg == NULL)) {
        wgsrv_config_free(cfg);
        return;
    }
    CHECK_CONTAINS(err, message);
}

static const char full[] =
    "server:\n"
    "  listen: \"127.0.0.1:9443\"\n"
    "  tls: {certFile: tls.crt, keyFile: /etc/tls/tls.key, clientCAFile: ca.crt}\n"
    "  workers: 3\n"
    "  maxBodyBytes: 1048576\n"
    "  idleTimeoutSeconds: 5\n"
    "  readTimeoutSeconds: 7\n"
    "  shutdownGracePeriodSeconds: 2\n"
    "  maxConnections: 50\n"
    "  watch: false\n"
    "  watchIntervalMs: 250\n"
    "defaults:\n"
    "  timeoutMs: 1500\n"
    "  maxMemoryPages: 64\n"
    "  fuel: 1000000\n"
    "authentication:\n"
    "  - name: tokens\n"
    "    module: modules/token.wasm\n"
    "    settings: {token: secret}\n"
    "authorization:\n"
    "  - name: rbac\n"
    "    module: /abs/rbac.wasm\n"
    "    failurePolicy: Ignore\n"
    "admission:\n"
    "  - name: no-privileged\n"
    "    module: policies/no-privileged.wasm\n"
    "    sha256: \"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789\"\n"
    "    abi: kubewarden\n"
    "    mutating: false\n"
    "    failurePolicy: Fail\n"
    "    rules:\n"
    "      - {operations: [CREATE, UPDATE], apiGroups: [\"\"], apiVersions: [v1], resources: "
    "[pods]}\n"
    "    settings: {}\n"
    "    limits: {timeoutMs: 500, fuel: 0}\n"
    "    capabilities:\n"
    "      allowedHosts: [\"registry.example.com\", \"*.example.org\"]\n"
    "      allowedPaths: {\"ro:data\": /data}\n"
    "      config: {key: value, number: 42}\n"
    "  - name: add-defaults\n"
    "    module: add.wasm\n"
    "    mutating: true\n";

static void full_configuration_sets_every_field(void)
{
    mkdir("data", 0755);
    wgsrv_config *cfg = parse(full);
    if (!CHECK(cfg != NULL)) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_STR(cfg->listen_host, "127.0.0.1");
    CHECK_INT(cfg->listen_port, 9443);
    CHECK_STR(cfg->cert_file, "./tls.crt");
    CHECK_STR(cfg->key_file, "/etc/tls/tls.key");
    CHECK_STR(cfg->client_ca_file, "./ca.crt");
    CHECK_INT(cfg->workers, 3);
    CHECK_INT(cfg->max_body_bytes, 1048576);
    CHECK_INT(cfg->idle_timeout_s, 5);
    CHECK_INT(cfg->read_timeout_s, 7);
    CHECK_INT(cfg->shutdown_grace_s, 2);
    CHECK_INT(cfg->max_connections, 50);
    CHECK(!cfg->watch);
    CHECK_INT(cfg->watch_interval_ms, 250);
    CHECK_INT(cfg->defaults.timeout_ms, 1500);
    CHECK_INT(cfg->defaults.max_memory_pages, 64);
    CHECK_INT(cfg->defaults.fuel, 1000000);
    if (!CHECK_INT(cfg->nmodules[WGSRV_AUTHENTICATION], 1) ||
        !CHECK_INT(cfg->nmodules[WGSRV_AUTHORIZATION], 1) ||
        !CHECK_INT(cfg->nmodules[WGSRV_ADMISSION], 2)) {
        wgsrv_config_free(cfg);
        return;
    }
    const wgsrv_module_config *t = &cfg->modules[WGSRV_AUTHENTICATION][0];
    CHECK_STR(t->name, "tokens");
    CHECK_STR(t->path, "./modules/token.wasm"); /* relative to the config file */
    CHECK_STR(t->settings, "{\"token\":\"secret\"}");
    CHECK_INT(t->abi, WGABI_K8S_WASM);
    CHECK_INT(t->manifest.limits.timeout_ms, 1500); /* the defaults */
    CHECK_INT(t->manifest.limits.max_memory_pages, 64);
    CHECK_STR(t->manifest.name, "tokens");
    const wgsrv_module_config *r = &cfg->modules[WGSRV_AUTHORIZATION][0];
    CHECK_STR(r->path, "/abs/rbac.wasm");
    CHECK_INT(r->failure_policy, WGK8S_FAILURE_IGNORE);
    const wgsrv_module_config *a = &cfg->modules[WGSRV_ADMISSION][0];
    CHECK_STR(a->sha256, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    CHECK_INT(a->abi, WGABI_KUBEWARDEN);
    CHECK(!a->mutating);
    CHECK_INT(a->failure_policy, WGK8S_FAILURE_FAIL);
    CHECK_STR(a->rules_json, "[{\"operations\":[\"CREATE\",\"UPDATE\"],\"apiGroups\":[\"\"],"
                             "\"apiVersions\":[\"v1\"],\"resources\":[\"pods\"]}]");
    CHECK_STR(a->settings, "{}");
    CHECK_INT(a->manifest.limits.timeout_ms, 500); /* the module's override */
    CHECK_INT(a->manifest.limits.fuel, 0);
    CHECK_INT(a->manifest.limits.max_memory_pages, 64); /* the rest from defaults */
    if (CHECK_INT(a->manifest.nallowed_hosts, 2)) {
        CHECK_STR(a->manifest.allowed_hosts[0], "registry.example.com");
        CHECK_STR(a->manifest.allowed_hosts[1], "*.example.org");
    }
    if (CHECK_INT(a->manifest.npaths, 1)) {
        CHECK_STR(a->manifest.paths[0].host_path, "./data");
        CHECK_STR(a->manifest.paths[0].guest_path, "/data");
        CHECK(a->manifest.paths[0].read_only);
    }
    CHECK_STR(wgsb_manifest_config(&a->manifest, "key"), "value");
    CHECK_STR(wgsb_manifest_config(&a->manifest, "number"), "42");
    CHECK(cfg->modules[WGSRV_ADMISSION][1].mutating);
    CHECK_STR(wgsrv_config_find(cfg, WGSRV_ADMISSION, "add-defaults")->name, "add-defaults");
    CHECK(wgsrv_config_find(cfg, WGSRV_ADMISSION, "nope") == NULL);
    wgsrv_config_free(cfg);
}

static void minimal_configuration_gets_the_documented_defaults(void)
{
    wgsrv_config *cfg = parse("admission:\n  - {name: a, module: a.wasm}\n");
    if (!CHECK(cfg != NULL)) return;
    CHECK_STR(cfg->listen_host, "0.0.0.0");
    CHECK_INT(cfg->listen_port, 8443);
    CHECK(cfg->cert_file == NULL); /* self-signed */
    CHECK_INT(cfg->workers, 0);    /* one per CPU */
    CHECK_INT(cfg->max_body_bytes, 3 * 1024 * 1024);
    CHECK_INT(cfg->idle_timeout_s, 30);
    CHECK_INT(cfg->read_timeout_s, 10);
    CHECK(cfg->watch);
    CHECK_INT(cfg->watch_interval_ms, 1000);
    CHECK_INT(cfg->defaults.timeout_ms, 2000);
    CHECK_INT(cfg->defaults.max_memory_pages, 256);
    const wgsrv_module_config *m = &cfg->modules[WGSRV_ADMISSION][0];
    CHECK_INT(m->abi, WGABI_K8S_WASM);
    CHECK_INT(m->failure_policy, WGK8S_FAILURE_FAIL);
    CHECK(!m->mutating);
    CHECK(m->settings == NULL);
    CHECK(m->rules_json == NULL);
    wgsrv_config_free(cfg);
}

static void settings_keep_yaml_types_as_json(void)
{
    wgsrv_config *cfg = parse("admission:\n"
                              "  - name: a\n"
                              "    module: a.wasm\n"
                              "    settings:\n"
                              "      int: 42\n"
                              "      neg: -7\n"
                              "      hex: 0x1f\n"
                              "      float: 1.5\n"
                              "      yes: true\n"
                              "      quoted: \"true\"\n"
                              "      nothing: ~\n"
                              "      list: [a, 'b', 3]\n"
                              "      text: hello world\n"
                              "      nested: {x: {y: [1, {z: null}]}}\n");
    if (!CHECK(cfg != NULL)) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    CHECK_STR(cfg->modules[WGSRV_ADMISSION][0].settings,
              "{\"int\":42,\"neg\":-7,\"hex\":31,\"float\":1.5,\"yes\":true,\"quoted\":\"true\","
              "\"nothing\":null,\"list\":[\"a\",\"b\",3],\"text\":\"hello world\","
              "\"nested\":{\"x\":{\"y\":[1,{\"z\":null}]}}}");
    wgsrv_config_free(cfg);
}

static void a_wrong_failure_policy_names_file_line_path_and_value(void)
{
    wgsrv_config *cfg = parse("admission:\n"
                              "  - {name: a, module: a.wasm}\n"
                              "  - {name: b, module: b.wasm}\n"
                              "  - name: c\n"
                              "    module: c.wasm\n"
                              "    failurePolicy: fail\n");
    CHECK(cfg == NULL);
    CHECK_STR(err, "wasmgate.yaml:6: admission[2].failurePolicy: must be Fail or Ignore, got "
                   "\"fail\"");
}

static void unknown_keys_are_errors_with_a_suggestion(void)
{
    expect_error("admision:\n  - {name: a, module: a.wasm}\n",
                 "wasmgate.yaml:1: admision: unknown field (did you mean \"admission\"?)");
    expect_error("admission:\n  - name: a\n    module: a.wasm\n    failurepolicy: Fail\n",
                 "wasmgate.yaml:4: admission[0].failurepolicy: unknown field (did you mean "
                 "\"failurePolicy\"?)");
    expect_error("server:\n  tls: {certFile: a, keyFile: b, clientCaFile: c}\n",
                 "wasmgate.yaml:2: server.tls.clientCaFile: unknown field (did you mean "
                 "\"clientCAFile\"?)");
    expect_error("defaults: {memory: 5}\n",
                 "defaults.memory: unknown field (known fields: timeoutMs, maxMemoryPages");
    expect_error(
        "admission:\n  - name: a\n    module: a.wasm\n    capabilities: {allowedHost: [x]}\n",
        "admission[0].capabilities.allowedHost: unknown field (did you mean "
        "\"allowedHosts\"?)");
}

static void every_error_is_reported_in_one_run(void)
{
    wgsrv_config *cfg = parse("server:\n"
                              "  workers: 0\n"
                              "  listen: nowhere\n"
                              "defaults:\n"
                              "  timeoutMs: fast\n"
                              "authentication:\n"
                              "  - name: a\n"
                              "    module: a.wasm\n"
                              "    mutating: true\n"
                              "admission:\n"
                              "  - module: b.wasm\n"
                              "  - name: bad name!\n"
                              "    module: c.wasm\n"
                              "    abi: wasi\n");
    CHECK(cfg == NULL);
    CHECK_CONTAINS(err, "wasmgate.yaml:2: server.workers: must be an integer from 1 to 1024, "
                        "got \"0\"");
    CHECK_CONTAINS(err, "wasmgate.yaml:3: server.listen: must be \"host:port\"");
    CHECK_CONTAINS(err, "wasmgate.yaml:5: defaults.timeoutMs: must be an integer from 0 to "
                        "3600000, got \"fast\"");
    CHECK_CONTAINS(err, "wasmgate.yaml:9: authentication[0].mutating: only admission modules "
                        "can be mutating");
    CHECK_CONTAINS(err, "wasmgate.yaml:11: admission[0]: name: missing");
    CHECK_CONTAINS(err, "wasmgate.yaml:12: admission[1].name: must be 1-128 letters");
    CHECK_CONTAINS(err, "wasmgate.yaml:14: admission[1].abi: must be k8s-wasm, kubewarden or "
                        "extism, got \"wasi\"");
}

static void module_names_are_unique_across_sections(void)
{
    expect_error("authentication:\n  - {name: same, module: a.wasm}\n"
                 "admission:\n  - {name: same, module: b.wasm}\n",
                 "wasmgate.yaml:4: admission[0].name: \"same\" is already the name of "
                 "authentication[0] (line 2); names must be unique");
}

static void section_specific_fields_are_refused_elsewhere(void)
{
    expect_error("authorization:\n  - name: a\n    module: a.wasm\n    rules: []\n",
                 "wasmgate.yaml:4: authorization[0].rules: only admission modules have rules");
    expect_error("authentication:\n  - name: a\n    module: a.wasm\n    abi: kubewarden\n",
                 "authentication[0].abi: kubewarden policies serve admission only");
    expect_error("authentication:\n  - name: a\n    module: a.wasm\n    failurePolicy: Fail\n",
                 "authentication[0].failurePolicy: does not apply to authentication");
    expect_error("admission:\n  - name: a\n    module: a.wasm\n    abi: kubewarden\n"
                 "    settings: [1, 2]\n",
                 "admission[0].settings: kubewarden settings must be a mapping");
}

static void bad_rules_point_at_the_rule(void)
{
    expect_error(
        "admission:\n"
        "  - name: a\n"
        "    module: a.wasm\n"
        "    rules:\n"
        "      - {operations: [CREATE], apiGroups: [\"\"], apiVersions: [v1], resources: [pods]}\n"
        "      - {operations: [CREATE], apiGroup: [\"\"], apiVersions: [v1], resources: [pods]}\n",
        "wasmgate.yaml:6: admission[0]: rules[1]");
    expect_error("admission:\n  - name: a\n    module: a.wasm\n    rules: pods\n",
                 "wasmgate.yaml:4: admission[0].rules: must be a list of rules, got \"pods\"");
}

static void types_are_checked(void)
{
    expect_error("admission:\n  - name: a\n    module: a.wasm\n    mutating: yes\n",
                 "admission[0].mutating: must be true or false, got \"yes\"");
    expect_error("admission: {name: a}\n", "wasmgate.yaml:1: admission: must be a list of modules");
    expect_error("admission:\n  - name: a\n    module: [a.wasm]\n",
                 "admission[0].module: must be a string, got a sequence");
    expect_error("admission:\n  - name: a\n    module: a.wasm\n    sha256: abc\n",
                 "admission[0].sha256: must be 64 hexadecimal digits");
    expect_error(
        "admission:\n  - name: a\n    module: a.wasm\n    limits: {maxMemoryPages: 70000}\n",
        "admission[0].limits.maxMemoryPages: must be an integer from 1 to 65536, got "
        "\"70000\"");
    expect_error("server:\n  maxBodyBytes: -1\n", "server.maxBodyBytes: must be an integer");
    expect_error("server:\n  tls: {certFile: a.crt}\n",
                 "server.tls: certFile and keyFile go together; keyFile is missing");
    expect_error("server: {listen: \"host:99999\"}\n", "server.listen: the port must be 1-65535");
    expect_error("admission:\n  - name: a\n    module: a.wasm\n    settings: {a: .inf}\n",
                 "admission[0].settings.a: infinity and NaN cannot be expressed in JSON");
}

static void alias_bombs_in_settings_are_refused(void)
{
    expect_error("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                 "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                 "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                 "admission:\n  - name: a\n    module: a.wasm\n    settings: [*e, *e, *e]\n",
                 "too many nodes");
}

static void capability_paths_must_exist_and_be_absolute_in_the_guest(void)
{
    expect_error("admission:\n  - name: a\n    module: a.wasm\n"
                 "    capabilities: {allowedPaths: {missing-dir: /data}}\n",
                 "admission[0].capabilities.allowedPaths[\"missing-dir\"]: ./missing-dir: No such "
                 "file or directory");
    mkdir("dir", 0755);
    expect_error("admission:\n  - name: a\n    module: a.wasm\n"
                 "    capabilities: {allowedPaths: {dir: relative}}\n",
                 "the guest path must be absolute, got \"relative\"");
    expect_error("admission:\n  - name: a\n    module: a.wasm\n"
                 "    capabilities: {config: {k: [1]}}\n",
                 "admission[0].capabilities.config.k: config values must be strings");
}

static void yaml_syntax_errors_give_line_and_column(void)
{
    expect_error("admission:\n  - name: a\n   module: x\n", "wasmgate.yaml:3:");
    expect_error("admission:\n  - name: a\n   module: x\n", "not valid YAML");
    expect_error("a: [1, 2\n", "wasmgate.yaml:");
}

static void duplicate_keys_and_extra_documents_are_errors(void)
{
    expect_error("admission:\n  - name: a\n    name: b\n    module: a.wasm\n",
                 "wasmgate.yaml:3: admission[0].name: given twice");
    expect_error("server: {}\n---\nserver: {}\n", "more than one YAML document");
}

static void an_empty_file_is_an_error(void)
{
    expect_error("", "wasmgate.yaml: the configuration is empty");
    expect_error("# only a comment\n", "the configuration is empty");
}

static void a_missing_file_is_named(void)
{
    wgsrv_config *cfg = wgsrv_config_load_file("no-such.yaml", err, sizeof err);
    CHECK(cfg == NULL);
    CHECK_CONTAINS(err, "no-such.yaml: cannot open: No such file or directory");
}

static void empty_sections_mean_no_modules(void)
{
    wgsrv_config *cfg = parse("authentication:\nauthorization: []\nadmission:\n");
    if (!CHECK(cfg != NULL)) return;
    CHECK_INT(cfg->nmodules[WGSRV_AUTHENTICATION], 0);
    CHECK_INT(cfg->nmodules[WGSRV_ADMISSION], 0);
    wgsrv_config_free(cfg);
}

static void listen_addresses_parse(void)
{
    char *host = NULL, msg[200];
    uint16_t port = 0;
    CHECK(wgsrv_parse_listen("[::1]:8443", &host, &port, msg, sizeof msg));
    CHECK_STR(host, "::1");
    CHECK_INT(port, 8443);
    free(host);
    CHECK(wgsrv_parse_listen(":443", &host, &port, msg, sizeof msg));
    CHECK_STR(host, "0.0.0.0");
    free(host);
    CHECK(!wgsrv_parse_listen("::1:8443", &host, &port, msg, sizeof msg));
    CHECK(!wgsrv_parse_listen("host:", &host, &port, msg, sizeof msg));
    CHECK(!wgsrv_parse_listen("host:0", &host, &port, msg, sizeof msg));
}

static void did_you_mean_only_suggests_close_words(void)
{
    static const char *const words[] = {"server", "defaults", "admission", NULL};
    CHECK_STR(wgsrv_did_you_mean("sever", words), "server");
    CHECK_STR(wgsrv_did_you_mean("Defaults", words), "defaults");
    CHECK(wgsrv_did_you_mean("policies", words) == NULL);
}

int main(void)
{
    if (chdir(srvt_tmpdir()) != 0) return 1;
    RUN(full_configuration_sets_every_field);
    RUN(minimal_configuration_gets_the_documented_defaults);
    RUN(settings_keep_yaml_types_as_json);
    RUN(a_wrong_failure_policy_names_file_line_path_and_value);
    RUN(unknown_keys_are_errors_with_a_suggestion);
    RUN(every_error_is_reported_in_one_run);
    RUN(module_names_are_unique_across_sections);
    RUN(section_specific_fields_are_refused_elsewhere);
    RUN(bad_rules_point_at_the_rule);
    RUN(types_are_checked);
    RUN(alias_bombs_in_settings_are_refused);
    RUN(capability_paths_must_exist_and_be_absolute_in_the_guest);
    RUN(yaml_syntax_errors_give_line_and_column);
    RUN(duplicate_keys_and_extra_documents_are_errors);
    RUN(an_empty_file_is_an_error);
    RUN(a_missing_file_is_named);
    RUN(empty_sections_mean_no_modules);
    RUN(listen_addresses_parse);
    RUN(did_you_mean_only_suggests_close_words);
    return srvt_finish();
}
