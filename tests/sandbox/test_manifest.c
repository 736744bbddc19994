/*
 * test_manifest.c — the capability manifest as data: defaults, directory
 * grant specs and their errors, host globs and URL matching, config, env,
 * args, deep copies, and the log line format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbtest.h"

static void new_manifest_grants_nothing_and_has_default_limits(void)
{
    wgsb_manifest m;
    wgsb_manifest_init(&m);
    CHECK_STR(m.name, "module");
    CHECK_INT(m.npaths, 0);
    CHECK_INT(m.nallowed_hosts, 0);
    CHECK_INT(m.nenv, 0);
    CHECK_INT(m.nargs, 0);
    CHECK_INT(m.limits.timeout_ms, 2000);
    CHECK_INT(m.limits.max_memory_pages, 256);
    CHECK_INT(m.limits.fuel, 0);
    CHECK_INT(m.limits.max_call_depth, 10000);
    CHECK_INT(m.limits.max_stack_slots, 131072);
    CHECK_INT(m.limits.max_table_elements, 100000);
    CHECK_INT(m.limits.max_stdout_bytes, 4 << 20);
    CHECK_INT(m.limits.max_stderr_bytes, 64 << 10);
    CHECK_INT(m.limits.max_open_files, 64);
    CHECK(!wgsb_manifest_allows_url(&m, "https://example.com/"));
    wgsb_manifest_clear(&m);
}

static void path_spec_grants_read_write_and_read_only_directories(void)
{
    wgsb_manifest m;
    wgsb_manifest_init(&m);
    char err[256];
    CHECK(wgsb_manifest_add_path_spec(&m, "/srv/data::/data", err, sizeof err));
    CHECK(wgsb_manifest_add_path_spec(&m, "ro:/etc/wasmgate/::/config/", err, sizeof err));
    if (CHECK_INT(m.npaths, 2)) {
        CHECK_STR(m.paths[0].host_path, "/srv/data");
        CHECK_STR(m.paths[0].guest_path, "/data");
        CHECK(!m.paths[0].read_only);
        CHECK_STR(m.paths[1].host_path, "/etc/wasmgate/");
        CHECK_STR(m.paths[1].guest_path, "/config"); /* trailing slash dropped */
        CHECK(m.paths[1].read_only);
    }
    wgsb_manifest_clear(&m);
}

static void path_spec_errors_say_what_is_wrong(void)
{
    wgsb_manifest m;
    wgsb_manifest_init(&m);
    char err[256];
    CHECK(!wgsb_manifest_add_path_spec(&m, "", err, sizeof err));
    CHECK_CONTAINS(err, "empty directory grant (expected [ro:]HOST::GUEST)");
    CHECK(!wgsb_manifest_add_path_spec(&m, "/srv/data", err, sizeof err));
    CHECK_CONTAINS(err, "directory grant \"/srv/data\" has no \"::\"");
    CHECK(!wgsb_manifest_add_path_spec(&m, "/srv/data:/data", err, sizeof err));
    CHECK_CONTAINS(err, "has no \"::\"");
    CHECK(!wgsb_manifest_add_path_spec(&m, "ro:::/data", err, sizeof err));
    CHECK_CONTAINS(err, "has an empty host path");
    CHECK(!wgsb_manifest_add_path_spec(&m, "/srv/data::", err, sizeof err));
    CHECK_CONTAINS(err, "has an empty guest path");
    CHECK(!wgsb_manifest_add_path_spec(&m, "/srv::/data/../etc", err, sizeof err));
    CHECK_CONTAINS(err, "must not contain \"..\"");
    CHECK_INT(m.npaths, 0);
    wgsb_manifest_clear(&m);
}

static void host_glob_with_star_matches_subdomains_only(void)
{
    wgsb_manifest m;
    wgsb_manifest_init(&m);
    CHECK(wgsb_manifest_add_host(&m, "*.example.com"));
    CHECK(wgsb_manifest_allows_url(&m, "https://api.example.com/v1"));
    CHECK(wgsb_manifest_allows_url(&m, "https://a.b.example.com"));
    CHECK(!wgsb_manifest_allows_url(&m, "https://example.com/"));
    CHECK(!wgsb_manifest_allows_url(&m, "https://example.com.evil.net/"));
    CHECK(!wgsb_manifest_allows_url(&m, "https://evilexample.com/"));
    wgsb_manifest_clear(&m);
}

static void exact_host_matches_case_insensitively_and_ignores_the_port(void)
{
    wgsb_manifest m;
    wgsb_manifest_init(&m);
    CHECK(wgsb_manifest_add_host(&m, "Registry.Example.com"));
    CHECK(wgsb_manifest_allows_url(&m, "https://registry.example.com:8443/v2/"));
    CHECK(wgsb_manifest_allows_url(&m, "HTTP://REGISTRY.EXAMPLE.COM"));
    CHECK(wgsb_manifest_allows_url(&m, "https://registry.example.com./x"));
    CHECK(wgsb_manifest_allows_url(&m, "https://user:pw@registry.example.com/"));
    CHECK(!wgsb_manifest_allows_url(&m, "https://sub.registry.example.com/"));
    CHECK(wgsb_manifest_allows_host(&m, "REGISTRY.example.com"));
    CHECK(!wgsb_manifest_allows_host(&m, "registry.example.org"));
    wgsb_manifest_clear(&m);
}

static void url_tricks_do_not_reach_an_allowed_host(void)
{
    wgsb_manifest m;
    wgsb_manifest_init(&m);
    CHECK(wgsb_manifest_add_host(&m, "example.com"));
    CHECK(!wgsb_manifest_allows_url(&m, "https://example.com@evil.net/"));
    CHECK(!wgsb_manifest_allows_url(&m, "https://evil.net/?u=https://example.com"));
    CHECK(!wgsb_manifest_allows_url(&m, "https://evil.net#example.com"));
    CHECK(!wgsb_manifest_allows_url(&m, "example.com/path")); /* no scheme, no host */
    CHECK(!wgsb_manifest_allows_url(&m, "https://exa%6dple.com/"));
    CHECK(!wgsb_manifest_allows_url(&m, "https:///"));
    CHECK(!wgsb_manifest_allows_url(&m, NULL));
    wgsb_manifest_clear(&m);
}

static void star_alone_allows_every_host_and_ipv6_literals_match_in_brackets(void)
{
    wgsb_manifest m;
    wgsb_manifest_init(&m);
    CHECK(wgsb_manifest_add_host(&m, "[::1]"));
    CHECK(wgsb_manifest_allows_url(&m, "http://[::1]:8080/"));
    CHECK(!wgsb_manifest_allows_url(&m, "http://[::2]/"));
    CHECK(wgsb_manifest_add_host(&m, "*"));
    CHECK(wgsb_manifest_allows_url(&m, "https://anything.example/"));
    wgsb_manifest_clear(&m);
}

static void config_env_and_args_are_what_was_added(void)
{
    wgsb_manifest m;
    wgsb_manifest_init(&m);
    CHECK(wgsb_manifest_add_config(&m, "team", "blue"));
    CHECK(wgsb_manifest_add_config(&m, "team", "red")); /* replaces */
    CHECK_STR(wgsb_manifest_config(&m, "team"), "red");
    CHECK(wgsb_manifest_config(&m, "missing") == NULL);
    CHECK_INT(m.nconfig, 1);
    CHECK(wgsb_manifest_add_env(&m, "LANG=C"));
    CHECK(wgsb_manifest_add_env(&m, "EMPTY="));
    CHECK(!wgsb_manifest_add_env(&m, "NOEQUALS"));
    CHECK(!wgsb_manifest_add_env(&m, "=value"));
    CHECK_INT(m.nenv, 2);
    CHECK(wgsb_manifest_add_arg(&m, "policy.wasm"));
    CHECK(wgsb_manifest_add_arg(&m, ""));
    CHECK_INT(m.nargs, 2);
    wgsb_manifest_clear(&m);
}

static void copy_is_deep(void)
{
    wgsb_manifest a, b;
    wgsb_manifest_init(&a);
    wgsb_manifest_set_name(&a, "original");
    wgsb_manifest_add_path(&a, "/srv", "/data", true);
    wgsb_manifest_add_host(&a, "example.com");
    wgsb_manifest_add_config(&a, "k", "v");
    wgsb_manifest_add_env(&a, "A=1");
    wgsb_manifest_add_arg(&a, "x");
    a.limits.fuel = 42;
    CHECK(wgsb_manifest_copy(&b, &a));
    wgsb_manifest_clear(&a); /* the copy must not share anything with a */
    CHECK_STR(b.name, "original");
    if (CHECK_INT(b.npaths, 1)) {
        CHECK_STR(b.paths[0].guest_path, "/data");
        CHECK(b.paths[0].read_only);
    }
    CHECK(wgsb_manifest_allows_url(&b, "https://example.com/"));
    CHECK_STR(wgsb_manifest_config(&b, "k"), "v");
    CHECK_STR(b.env[0], "A=1");
    CHECK_STR(b.args[0], "x");
    CHECK_INT(b.limits.fuel, 42);
    wgsb_manifest_clear(&b);
}

static char logged[512];
static int logged_level;
static void record_log(void *arg, int level, const char *module, const char *message)
{
    (void)arg;
    logged_level = level;
    snprintf(logged, sizeof logged, "[%s] %s", module, message);
}

static void log_goes_to_the_callback_with_the_module_name(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "policy");
    m.log = record_log;
    wgsb_log(&m, 2, "denied %s %s", "path_open", "\"x\"");
    CHECK_STR(logged, "[policy] denied path_open \"x\"");
    CHECK_INT(logged_level, 2);
    wgsb_manifest_clear(&m);
}

static void default_log_writes_one_line_to_stderr(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "policy");
    char *dir = wgt_tempdir();
    if (!dir) return;
    char path[1100];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    /* Point fd 2 at a file for the two calls; stderr is unbuffered, so nothing lingers. */
    fflush(stderr);
    int saved = dup(2);
    FILE *f = fopen(path, "w");
    if (!CHECK(f != NULL && saved >= 0)) return;
    dup2(fileno(f), 2);
    wgsb_log(&m, 2, "denied path_open \"/etc/passwd\" (outside every granted directory)");
    wgsb_log(&m, 0, "debug lines are dropped by default");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(f);
    char *text = sbt_read(dir, "stderr.txt");
    CHECK_STR(text, "wasmgate: module policy: denied path_open \"/etc/passwd\" (outside every "
                    "granted directory)\n");
    free(text);
    wgt_rmtree(dir);
    free(dir);
    wgsb_manifest_clear(&m);
}

static void sandbox_refuses_a_grant_that_does_not_exist(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "policy");
    wgsb_manifest_add_path(&m, "/nonexistent/wasmgate-test-dir", "/data", false);
    char err[512];
    wgsb_sandbox *sb = wgsb_sandbox_new(&m, err, sizeof err);
    CHECK(sb == NULL);
    CHECK_CONTAINS(err, "module policy: cannot open granted directory "
                        "\"/nonexistent/wasmgate-test-dir\": No such file or directory");
    wgsb_sandbox_free(sb);
    wgsb_manifest_clear(&m);
}

static void sandbox_refuses_an_invalid_grant_put_in_directly(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "policy");
    wgsb_manifest_add_path(&m, "/tmp", "/data", false);
    free(m.paths[0].guest_path);
    m.paths[0].guest_path = strdup("/data/../x");
    char err[512];
    wgsb_sandbox *sb = wgsb_sandbox_new(&m, err, sizeof err);
    CHECK(sb == NULL);
    CHECK_CONTAINS(err, "must not contain \"..\"");
    wgsb_manifest_clear(&m);
}

static void status_names_are_distinct(void)
{
    CHECK_STR(wgsb_status_name(WGSB_OK), "ok");
    CHECK_STR(wgsb_status_name(WGSB_TIMEOUT), "timeout");
    CHECK_STR(wgsb_status_name(WGSB_FUEL), "fuel");
    CHECK_STR(wgsb_status_name(WGSB_MEMORY_LIMIT), "memory limit");
    CHECK_STR(wgsb_status_name(WGSB_OUTPUT_LIMIT), "output limit");
    CHECK_STR(wgsb_status_name(WGSB_EXIT), "exit");
    CHECK_STR(wgsb_status_name(WGSB_TRAP), "trap");
    CHECK_STR(wgsb_status_name(WGSB_ERROR), "error");
}

int main(void)
{
    RUN(new_manifest_grants_nothing_and_has_default_limits);
    RUN(path_spec_grants_read_write_and_read_only_directories);
    RUN(path_spec_errors_say_what_is_wrong);
    RUN(host_glob_with_star_matches_subdomains_only);
    RUN(exact_host_matches_case_insensitively_and_ignores_the_port);
    RUN(url_tricks_do_not_reach_an_allowed_host);
    RUN(star_alone_allows_every_host_and_ipv6_literals_match_in_brackets);
    RUN(config_env_and_args_are_what_was_added);
    RUN(copy_is_deep);
    RUN(log_goes_to_the_callback_with_the_module_name);
    RUN(default_log_writes_one_line_to_stderr);
    RUN(sandbox_refuses_a_grant_that_does_not_exist);
    RUN(sandbox_refuses_an_invalid_grant_put_in_directly);
    RUN(status_names_are_distinct);
    return wgt_finish();
}
