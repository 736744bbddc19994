/*
 * test_hostile.c — modules that try to take more than they are given.
 * Each is contained with its own distinct error, and after each the host
 * still serves the next call (CHECK_HOST_STILL_SERVES).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbtest.h"

static void infinite_loop_is_stopped_by_the_timeout(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "loop");
    m.limits.timeout_ms = 200;
    sbt_result r;
    if (sbt_run("loop.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_TIMEOUT);
        CHECK_STR(r.msg, "module loop: timeout: exceeded 200 ms");
        CHECK(r.elapsed_ms >= 190); /* stopped at all: a time bound would only measure the machine */
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

static void infinite_loop_is_stopped_by_fuel(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "loop");
    m.limits.timeout_ms = 0;
    m.limits.fuel = 1000000;
    sbt_result r;
    if (sbt_run("loop.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_FUEL);
        CHECK_STR(r.msg, "module loop: fuel exhausted after 1000000 units");
        CHECK(r.fuel_used >= 1000000);
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

static void unbounded_recursion_exhausts_the_call_stack(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "recurse");
    m.limits.max_call_depth = 500;
    sbt_result r;
    if (sbt_run("recurse.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_TRAP);
        CHECK_STR(r.msg, "module recurse: call stack exhausted (limit 500 calls)");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

static void unbounded_recursion_under_default_limits_is_contained(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "recurse");
    sbt_result r;
    if (sbt_run("recurse.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_TRAP);
        CHECK_STR(r.msg, "module recurse: call stack exhausted (limit 10000 calls)");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void memory_grow_in_a_loop_hits_the_memory_limit(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "grow");
    m.limits.max_memory_pages = 4;
    sbt_result r;
    if (sbt_run("grow.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_MEMORY_LIMIT);
        CHECK_STR(r.msg, "module grow: memory limit: grow to 5 pages exceeds 4");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

static void memory_declared_over_the_limit_is_refused_at_instantiation(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "big");
    sbt_result r;
    if (sbt_run("big_memory.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_MEMORY_LIMIT);
        CHECK_STR(r.msg, "module big: memory limit: module needs 300 pages, limit is 256");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void stdout_flood_hits_the_output_limit(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "flood");
    m.limits.max_stdout_bytes = 4096;
    sbt_result r;
    if (sbt_run("flood.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_OUTPUT_LIMIT);
        CHECK_STR(r.msg, "module flood: output limit: stdout exceeded 4096 bytes");
        CHECK_INT(r.out_len, 4096);
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

static void stderr_flood_is_cut_with_a_marker_and_then_stopped_by_a_limit(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "flood");
    sbt_add_args(&m, "flood", "stderr", NULL);
    m.limits.max_stderr_bytes = 1000;
    m.limits.timeout_ms = 300;
    sbt_result r;
    if (sbt_run("flood.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_TIMEOUT);
        CHECK_CONTAINS(r.err, "\n[wasmgate: stderr truncated after 1000 bytes]\n");
        CHECK_INT(r.err_len, 1000 + strlen("\n[wasmgate: stderr truncated after 1000 bytes]\n"));
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

/* Runs rawpath OP PATH [COUNT] with /data granted to dir. */
static bool rawpath(const char *dir, bool ro, const char *op, const char *path, const char *count,
                    sbt_result *r)
{
    return sbt_run_granted("rawpath.wasm", "policy", dir, ro, r, "rawpath", op, path, count, NULL);
}

static void path_open_of_dotdot_is_denied_and_logged(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (dir && rawpath(dir, false, "open", "../../etc/passwd", NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "errno=76\n");
        CHECK_STR(r.log, "module policy: denied path_open \"../../etc/passwd\" (outside every "
                         "granted directory)\n");
    }
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
    CHECK_HOST_STILL_SERVES();
}

static void path_open_of_an_absolute_path_is_denied_and_logged(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (dir && rawpath(dir, false, "open", "/etc/passwd", NULL, &r)) {
        CHECK_STR(r.out, "errno=76\n");
        CHECK_STR(r.log, "module policy: denied path_open \"/etc/passwd\" (outside every granted "
                         "directory)\n");
    }
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
    CHECK_HOST_STILL_SERVES();
}

static void dotdot_that_comes_back_inside_is_still_refused_at_the_edge(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir) return;
    sbt_write(dir, "x.txt", "x");
    const char *base = strrchr(dir, '/') + 1;
    char path[512];
    snprintf(path, sizeof path, "../%s/x.txt", base);
    if (rawpath(dir, false, "open", path, NULL, &r)) CHECK_STR(r.out, "errno=76\n");
    sbt_result_clear(&r);
    /* Inside the grant, ".." that stays inside is fine. */
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0755);
    if (rawpath(dir, false, "open", "sub/../x.txt", NULL, &r))
        CHECK_STR(r.out, "errno=0\nfirst line: x\n");
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

/*
 * The grant is ROOT/grant; escape attempts that would write aim at
 * ROOT/outside, so that even a broken sandbox cannot touch anything but
 * the test's own directory.
 */
static void symlink_pointing_out_of_the_grant_is_not_followed(void)
{
    char *root = wgt_tempdir();
    sbt_result r;
    if (!root) return;
    char grant[1100], outside[1100], link[1200];
    snprintf(grant, sizeof grant, "%s/grant", root);
    snprintf(outside, sizeof outside, "%s/outside", root);
    mkdir(grant, 0755);
    mkdir(outside, 0755);
    sbt_write(outside, "secret.txt", "secret\n");
    snprintf(link, sizeof link, "%s/etc", grant);
    CHECK(symlink("/etc", link) == 0);
    snprintf(link, sizeof link, "%s/passwd", grant);
    CHECK(symlink("/etc/passwd", link) == 0);
    snprintf(link, sizeof link, "%s/out", grant);
    CHECK(symlink(outside, link) == 0);
    snprintf(link, sizeof link, "%s/up", grant);
    CHECK(symlink("..", link) == 0);

    /* Through a directory symlink in the middle of the path. */
    if (rawpath(grant, false, "open", "etc/passwd", NULL, &r)) {
        CHECK_STR(r.out, "errno=76\n");
        CHECK_CONTAINS(r.log, "denied path_open \"etc/passwd\" (outside every granted directory)");
    }
    sbt_result_clear(&r);
    if (rawpath(grant, false, "open", "out/secret.txt", NULL, &r)) CHECK_STR(r.out, "errno=76\n");
    sbt_result_clear(&r);
    /* As the last component, followed. */
    if (rawpath(grant, false, "open", "passwd", NULL, &r)) CHECK_STR(r.out, "errno=76\n");
    sbt_result_clear(&r);
    /* As the last component, not followed: ELOOP, as O_NOFOLLOW has it. */
    if (rawpath(grant, false, "open-nofollow", "passwd", NULL, &r)) CHECK_STR(r.out, "errno=32\n");
    sbt_result_clear(&r);
    /* A relative link climbing out. */
    if (rawpath(grant, false, "open", "up/outside/secret.txt", NULL, &r))
        CHECK_STR(r.out, "errno=76\n");
    sbt_result_clear(&r);
    /* stat, mkdir, create and rename resolve the same way. */
    if (rawpath(grant, false, "stat", "etc/passwd", NULL, &r)) CHECK_STR(r.out, "errno=76\n");
    sbt_result_clear(&r);
    if (rawpath(grant, false, "mkdir", "out/newdir", NULL, &r)) CHECK_STR(r.out, "errno=76\n");
    sbt_result_clear(&r);
    if (rawpath(grant, false, "create", "up/outside/escaped.txt", NULL, &r))
        CHECK_STR(r.out, "errno=76\n");
    sbt_result_clear(&r);
    if (rawpath(grant, false, "rename", "out/secret.txt", NULL, &r)) CHECK_STR(r.out, "errno=76\n");
    sbt_result_clear(&r);
    if (rawpath(grant, false, "unlink", "out/secret.txt", NULL, &r)) CHECK_STR(r.out, "errno=76\n");
    sbt_result_clear(&r);
    CHECK(!sbt_exists(outside, "newdir"));
    CHECK(!sbt_exists(outside, "escaped.txt"));
    CHECK(sbt_exists(outside, "secret.txt"));
    CHECK(!sbt_exists(outside, "secret.txt.moved"));
    /* Removing a link itself is fine: it is an entry of the grant. */
    if (rawpath(grant, false, "unlink", "out", NULL, &r)) CHECK_STR(r.out, "errno=0\n");
    sbt_result_clear(&r);
    CHECK(!sbt_exists(grant, "out"));
    CHECK(sbt_exists(outside, "secret.txt"));
    wgt_rmtree(root);
    free(root);
    CHECK_HOST_STILL_SERVES();
}

static void writes_under_a_read_only_grant_fail_with_erofs(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir) return;
    sbt_write(dir, "keep.txt", "original");
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0755);
    static const char *const ops[][2] = {
        {"create", "new.txt"},  {"create", "keep.txt"}, {"mkdir", "newdir"},
        {"unlink", "keep.txt"}, {"rename", "keep.txt"}, {"symlink", "link"},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (rawpath(dir, true, ops[i][0], ops[i][1], NULL, &r)) {
            if (!CHECK_STR(r.out, "errno=69\n")) fprintf(stderr, "  op %s\n", ops[i][0]);
            CHECK_CONTAINS(r.log, "(read-only grant)");
        }
        sbt_result_clear(&r);
    }
    if (rawpath(dir, true, "unlink", "sub", NULL, &r)) CHECK_STR(r.out, "errno=69\n");
    sbt_result_clear(&r);
    char *text = sbt_read(dir, "keep.txt");
    CHECK_STR(text, "original");
    free(text);
    CHECK(!sbt_exists(dir, "new.txt"));
    CHECK(!sbt_exists(dir, "newdir"));
    CHECK(!sbt_exists(dir, "keep.txt.moved"));
    CHECK(!sbt_exists(dir, "link"));
    wgt_rmtree(dir);
    free(dir);
    CHECK_HOST_STILL_SERVES();
}

static void libc_write_under_a_read_only_grant_fails_with_erofs(void)
{
    char *dir = wgt_tempdir();
    if (!dir) return;
    sbt_write(dir, "keep.txt", "original");
    sbt_result r;
    if (sbt_run_granted("fsops.wasm", "fsops", dir, true, &r, "fsops", "write", "/data/keep.txt",
                        "overwritten", NULL)) {
        CHECK_CONTAINS(r.out, "(errno 69)");
        CHECK_STR(r.log, "module fsops: denied path_open \"keep.txt\" (read-only grant)\n");
    }
    sbt_result_clear(&r);
    char *text = sbt_read(dir, "keep.txt");
    CHECK_STR(text, "original");
    free(text);
    wgt_rmtree(dir);
    free(dir);
}

static void read_only_grant_shows_no_write_rights(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir) return;
    if (rawpath(dir, true, "fdstat", ".", NULL, &r)) {
        unsigned type = 0;
        unsigned long long base = 0, inheriting = 0;
        CHECK(sscanf(r.out, "type=%u base=%llx inheriting=%llx", &type, &base, &inheriting) == 3);
        CHECK_INT(type, 3);                 /* directory */
        CHECK(base & (1ull << 13));         /* PATH_OPEN */
        CHECK(!(base & (1ull << 10)));      /* no PATH_CREATE_FILE */
        CHECK(!(base & (1ull << 26)));      /* no PATH_UNLINK_FILE */
        CHECK(inheriting & (1ull << 1));    /* FD_READ */
        CHECK(!(inheriting & (1ull << 6))); /* no FD_WRITE */
    }
    sbt_result_clear(&r);
    if (rawpath(dir, false, "fdstat", ".", NULL, &r)) {
        unsigned type = 0;
        unsigned long long base = 0, inheriting = 0;
        CHECK(sscanf(r.out, "type=%u base=%llx inheriting=%llx", &type, &base, &inheriting) == 3);
        CHECK(base & (1ull << 10));      /* PATH_CREATE_FILE */
        CHECK(inheriting & (1ull << 6)); /* FD_WRITE */
    }
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

static void no_grant_means_no_files(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "fsops");
    sbt_add_args(&m, "fsops", "read", "/etc/passwd", NULL);
    sbt_result r;
    if (sbt_run("fsops.wasm", &m, NULL, &r)) CHECK_CONTAINS(r.out, "(errno 76)");
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    sbt_manifest(&m, "policy");
    sbt_add_args(&m, "rawpath", "open", "etc/passwd", NULL);
    if (sbt_run("rawpath.wasm", &m, NULL, &r)) CHECK_STR(r.out, "errno=8\n"); /* no fd 3 */
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void denials_are_logged_at_most_a_few_times_per_run(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (dir && rawpath(dir, false, "open", "../escape", "1000", &r)) {
        CHECK_STR(r.out, "errno=76\n");
        CHECK_INT(r.log_lines, 17);
        CHECK_CONTAINS(r.log, "further denied attempts in this run are not logged");
    }
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

static void denied_paths_are_escaped_in_the_log(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (dir && rawpath(dir, false, "open", "../a\nfake log line\x1b[31m", NULL, &r)) {
        CHECK_STR(r.log, "module policy: denied path_open \"../a\\nfake log line\\x1b[31m\" "
                         "(outside every granted directory)\n");
    }
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

static void open_files_are_limited(void)
{
    char *dir = wgt_tempdir();
    if (!dir) return;
    wgsb_manifest m;
    sbt_manifest(&m, "fsops");
    wgsb_manifest_add_path(&m, dir, "/data", false);
    sbt_add_args(&m, "fsops", "openmany", "/data", "100", NULL);
    m.limits.max_open_files = 10;
    sbt_result r;
    if (sbt_run("fsops.wasm", &m, NULL, &r)) CHECK_STR(r.out, "opened 10, then errno 33\n");
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    wgt_rmtree(dir);
    free(dir);
}

static void proc_exit_ends_the_call_not_the_host(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "exit7");
    sbt_result r;
    if (sbt_run("exit7.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_EXIT);
        CHECK_INT(r.exit_code, 7);
        CHECK_STR(r.msg, "module exit7: exited with status 7");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

static void unknown_wasi_import_is_refused_by_name(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "unknown");
    sbt_result r;
    if (sbt_run("unknown_import.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_ERROR);
        CHECK_CONTAINS(r.msg, "module unknown: ");
        CHECK_CONTAINS(r.msg, "\"wasi_snapshot_preview1\" \"not_a_function\"");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK(!wgsb_wasi_defines("wasi_snapshot_preview1", 22, "not_a_function", 14));
    CHECK_HOST_STILL_SERVES();
}

static void socket_functions_link_but_fail_with_enosys(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "socket");
    sbt_result r;
    if (sbt_run("socket.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_EXIT);
        CHECK_INT(r.exit_code, 52);
        CHECK_STR(r.log, "module socket: denied sock_send \"fd 3\" (the sandbox has no network)\n");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

static void sleeping_past_the_deadline_is_a_timeout(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "sleeper");
    sbt_add_args(&m, "sleeper", "60000", NULL);
    m.limits.timeout_ms = 200;
    sbt_result r;
    if (sbt_run("sleeper.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_TIMEOUT);
        CHECK_STR(r.msg, "module sleeper: timeout: exceeded 200 ms");
        CHECK(r.elapsed_ms >= 190); /* stopped at all: a time bound would only measure the machine */
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

static void endless_start_function_is_stopped_at_instantiation(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "start");
    m.limits.timeout_ms = 150;
    sbt_result r;
    if (sbt_run("start_loop.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_TIMEOUT);
        CHECK_STR(r.msg, "module start: timeout: exceeded 150 ms (in the start function)");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    CHECK_HOST_STILL_SERVES();
}

/* Calls an export of badptr.wasm and returns its i32 result (or -1). */
static int call_badptr(const char *export_name)
{
    wgsb_manifest m;
    sbt_manifest(&m, "badptr");
    wg_value out;
    int result = sbt_call_export("badptr.wasm", &m, export_name, &out) ? out.i32 : -1;
    wgsb_manifest_clear(&m);
    return result;
}

static void pointers_outside_memory_are_efault(void)
{
    CHECK_INT(call_badptr("write_past_end"), 21);
    CHECK_INT(call_badptr("iovecs_past_end"), 21);
    CHECK_INT(call_badptr("read_past_end"), 21);
    CHECK_INT(call_badptr("random_past_end"), 21);
    CHECK_INT(call_badptr("result_past_end"), 21);
    CHECK_INT(call_badptr("huge_length"), 21);
    /* path_open checks its fd first: without grants there is no fd 3. */
    CHECK_INT(call_badptr("path_past_end"), 8);
    CHECK_HOST_STILL_SERVES();
}

int main(void)
{
    RUN(infinite_loop_is_stopped_by_the_timeout);
    RUN(infinite_loop_is_stopped_by_fuel);
    RUN(unbounded_recursion_exhausts_the_call_stack);
    RUN(unbounded_recursion_under_default_limits_is_contained);
    RUN(memory_grow_in_a_loop_hits_the_memory_limit);
    RUN(memory_declared_over_the_limit_is_refused_at_instantiation);
    RUN(stdout_flood_hits_the_output_limit);
    RUN(stderr_flood_is_cut_with_a_marker_and_then_stopped_by_a_limit);
    RUN(path_open_of_dotdot_is_denied_and_logged);
    RUN(path_open_of_an_absolute_path_is_denied_and_logged);
    RUN(dotdot_that_comes_back_inside_is_still_refused_at_the_edge);
    RUN(symlink_pointing_out_of_the_grant_is_not_followed);
    RUN(writes_under_a_read_only_grant_fail_with_erofs);
    RUN(libc_write_under_a_read_only_grant_fails_with_erofs);
    RUN(read_only_grant_shows_no_write_rights);
    RUN(no_grant_means_no_files);
    RUN(denials_are_logged_at_most_a_few_times_per_run);
    RUN(denied_paths_are_escaped_in_the_log);
    RUN(open_files_are_limited);
    RUN(proc_exit_ends_the_call_not_the_host);
    RUN(unknown_wasi_import_is_refused_by_name);
    RUN(socket_functions_link_but_fail_with_enosys);
    RUN(sleeping_past_the_deadline_is_a_timeout);
    RUN(endless_start_function_is_stopped_at_instantiation);
    RUN(pointers_outside_memory_are_efault);
    return wgt_finish();
}
