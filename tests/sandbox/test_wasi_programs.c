/*
 * test_wasi_programs.c — real programs (C built with wasi-libc) doing
 * ordinary things through WASI preview 1: stdio, files and directories
 * under a grant, stat, seek, clocks, random bytes, arguments, environment,
 * exit codes and sleeping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbtest.h"

/* Runs fsops with `op a b` and /data granted to dir (read-only if ro). */
static bool fsops(const char *dir, bool ro, const char *op, const char *a, const char *b,
                  sbt_result *r)
{
    return sbt_run_granted("fsops.wasm", "fsops", dir, ro, r, "fsops", op, a, b, NULL);
}

static void stdin_is_read_and_stdout_and_stderr_are_captured(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "echo");
    sbt_result r;
    if (sbt_run("echo_upper.wasm", &m, "hello, sandbox", &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "HELLO, SANDBOX");
        CHECK_STR(r.err, "read 14 bytes\n");
        CHECK(r.fuel_used > 0);
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void empty_stdin_reads_as_end_of_file(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "echo");
    sbt_result r;
    if (sbt_run("echo_upper.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "");
        CHECK_STR(r.err, "read 0 bytes\n");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void large_stdin_passes_through_whole(void)
{
    size_t n = 300000;
    char *in = malloc(n + 1);
    if (!in) return;
    for (size_t i = 0; i < n; i++)
        in[i] = (char)('a' + i % 26);
    in[n] = '\0';
    wgsb_manifest m;
    sbt_manifest(&m, "echo");
    sbt_result r;
    if (sbt_run("echo_upper.wasm", &m, in, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_INT(r.out_len, n);
        CHECK(r.out_len == n && r.out[0] == 'A' && r.out[n - 1] == (char)('A' + (n - 1) % 26));
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    free(in);
}

static void file_written_under_a_grant_appears_on_the_host(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (dir && fsops(dir, false, "write", "/data/new.txt", "written by the module", &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "ok\n");
        char *text = sbt_read(dir, "new.txt");
        CHECK_STR(text, "written by the module");
        free(text);
    }
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

static void file_on_the_host_is_read_and_appended_to(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir || !sbt_write(dir, "log.txt", "one\n")) return;
    if (fsops(dir, false, "append", "/data/log.txt", "two\n", &r)) CHECK_STR(r.out, "ok\n");
    sbt_result_clear(&r);
    if (fsops(dir, true, "read", "/data/log.txt", NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "one\ntwo\n");
    }
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

static void directory_listing_shows_every_entry(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir) return;
    sbt_write(dir, "b.txt", "b");
    sbt_write(dir, "a.txt", "a");
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0755);
    if (fsops(dir, true, "ls", "/data", NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "a.txt\nb.txt\nsub\n3 entries\n");
    }
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

/* Enough entries that wasi-libc needs several fd_readdir calls, with entries cut at the end. */
static void directory_listing_spans_many_readdir_calls(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir) return;
    if (fsops(dir, false, "mkmany", "/data", "500", &r)) CHECK_STR(r.out, "created 500\n");
    sbt_result_clear(&r);
    if (fsops(dir, true, "ls", "/data", NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_CONTAINS(r.out, "\n500 entries\n");
        CHECK_CONTAINS(r.out, "a-rather-long-file-name-to-fill-readdir-buffers-0000\n");
        CHECK_CONTAINS(r.out, "a-rather-long-file-name-to-fill-readdir-buffers-0499\n");
    }
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

static void stat_reports_type_and_size(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir) return;
    sbt_write(dir, "five.txt", "12345");
    if (fsops(dir, true, "stat", "/data/five.txt", NULL, &r))
        CHECK_STR(r.out, "type=file size=5\n");
    sbt_result_clear(&r);
    if (fsops(dir, true, "stat", "/data", NULL, &r)) CHECK_CONTAINS(r.out, "type=dir ");
    sbt_result_clear(&r);
    if (fsops(dir, true, "stat", "/data/missing", NULL, &r)) CHECK_CONTAINS(r.out, "(errno 44)");
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

static void symlink_that_stays_inside_the_grant_is_followed(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir) return;
    char path[1100];
    snprintf(path, sizeof path, "%s/sub", dir);
    mkdir(path, 0755);
    sbt_write(dir, "sub/target.txt", "inside");
    snprintf(path, sizeof path, "%s/link.txt", dir);
    CHECK(symlink("sub/target.txt", path) == 0);
    if (fsops(dir, true, "read", "/data/link.txt", NULL, &r)) CHECK_STR(r.out, "inside");
    sbt_result_clear(&r);
    if (fsops(dir, true, "lstat", "/data/link.txt", NULL, &r))
        CHECK_CONTAINS(r.out, "type=symlink");
    sbt_result_clear(&r);
    if (fsops(dir, true, "readlink", "/data/link.txt", NULL, &r))
        CHECK_STR(r.out, "sub/target.txt\n");
    sbt_result_clear(&r);
    wgt_rmtree(dir);
    free(dir);
}

static void directories_are_made_renamed_and_removed(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir) return;
    sbt_write(dir, "old.txt", "x");
    if (fsops(dir, false, "mkdir", "/data/newdir", NULL, &r)) CHECK_STR(r.out, "ok\n");
    sbt_result_clear(&r);
    CHECK(sbt_exists(dir, "newdir"));
    if (fsops(dir, false, "mv", "/data/old.txt", "/data/newdir/moved.txt", &r))
        CHECK_STR(r.out, "ok\n");
    sbt_result_clear(&r);
    CHECK(!sbt_exists(dir, "old.txt"));
    CHECK(sbt_exists(dir, "newdir/moved.txt"));
    if (fsops(dir, false, "rmdir", "/data/newdir", NULL, &r)) CHECK_CONTAINS(r.out, "(errno 55)");
    sbt_result_clear(&r);
    if (fsops(dir, false, "rm", "/data/newdir/moved.txt", NULL, &r)) CHECK_STR(r.out, "ok\n");
    sbt_result_clear(&r);
    if (fsops(dir, false, "rmdir", "/data/newdir", NULL, &r)) CHECK_STR(r.out, "ok\n");
    sbt_result_clear(&r);
    CHECK(!sbt_exists(dir, "newdir"));
    wgt_rmtree(dir);
    free(dir);
}

static void seek_tell_pread_and_truncate_work_on_files(void)
{
    char *dir = wgt_tempdir();
    sbt_result r;
    if (!dir) return;
    sbt_write(dir, "digits.txt", "0123456789");
    if (fsops(dir, true, "seek", "/data/digits.txt", NULL, &r))
        CHECK_STR(r.out, "read=234 pos=5 pread=01 end=10\n");
    sbt_result_clear(&r);
    if (fsops(dir, false, "truncate", "/data/digits.txt", "4", &r)) CHECK_STR(r.out, "ok\n");
    sbt_result_clear(&r);
    char *text = sbt_read(dir, "digits.txt");
    CHECK_STR(text, "0123");
    free(text);
    wgt_rmtree(dir);
    free(dir);
}

static void two_grants_are_two_preopens(void)
{
    char *a = wgt_tempdir(), *b = wgt_tempdir();
    if (!a || !b) return;
    sbt_write(a, "in.txt", "from a");
    wgsb_manifest m;
    sbt_manifest(&m, "fsops");
    wgsb_manifest_add_path(&m, a, "/input", true);
    wgsb_manifest_add_path(&m, b, "/output", false);
    sbt_add_args(&m, "fsops", "read", "/input/in.txt", NULL);
    sbt_result r;
    if (sbt_run("fsops.wasm", &m, NULL, &r)) CHECK_STR(r.out, "from a");
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
    wgt_rmtree(a);
    wgt_rmtree(b);
    free(a);
    free(b);
}

static void clocks_and_random_bytes_work(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "clockrand");
    sbt_result r;
    if (sbt_run("clockrand.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "ok\n");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void arguments_and_environment_are_exactly_the_manifests(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "argsenv");
    sbt_add_args(&m, "argsenv.wasm", "--flag", "two words", NULL);
    wgsb_manifest_add_env(&m, "TEAM=blue");
    wgsb_manifest_add_env(&m, "EMPTY=");
    sbt_result r;
    if (sbt_run("argsenv.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "argc=3\nargv[0]=argsenv.wasm\nargv[1]=--flag\nargv[2]=two words\n"
                         "env TEAM=blue\nenv EMPTY=\n");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void no_arguments_and_no_environment_by_default(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "argsenv");
    sbt_result r;
    if (sbt_run("argsenv.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "argc=0\n");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void returning_from_main_with_zero_is_ok(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "exitcode");
    sbt_add_args(&m, "exitcode", "0", NULL);
    sbt_result r;
    if (sbt_run("exitcode.wasm", &m, NULL, &r)) {
        /* wasi-libc's exit(0) still calls proc_exit(0): an exit, with status 0. */
        CHECK(r.status == WGSB_OK || (r.status == WGSB_EXIT && r.exit_code == 0));
        CHECK_STR(r.out, "exiting with 0\n");
        CHECK_STR(r.err, "this goes to stderr\n");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void exit_code_is_reported(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "exitcode");
    sbt_add_args(&m, "exitcode", "3", NULL);
    sbt_result r;
    if (sbt_run("exitcode.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_EXIT);
        CHECK(r.exited);
        CHECK_INT(r.exit_code, 3);
        CHECK_STR(r.msg, "module exitcode: exited with status 3");
        CHECK_STR(r.out, "exiting with 3\n");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void sleep_within_the_deadline_completes(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "sleeper");
    sbt_add_args(&m, "sleeper", "150", NULL);
    m.limits.timeout_ms = 120000; /* far beyond the sleep, however loaded the machine */
    sbt_result r;
    if (sbt_run("sleeper.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_CONTAINS(r.out, "slept ");
        CHECK(r.elapsed_ms >= 150);
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

static void old_modules_importing_wasi_unstable_run(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "unstable");
    sbt_result r;
    if (sbt_run("unstable.wasm", &m, NULL, &r)) {
        CHECK_INT(r.status, WGSB_OK);
        CHECK_STR(r.out, "unstable ok\n");
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

/* Calls an i64-returning export of unstable_layouts.wasm with `dir` granted as /data. */
static int64_t call_unstable(const char *dir, const char *export_name)
{
    wgsb_manifest m;
    sbt_manifest(&m, "unstable");
    wgsb_manifest_add_path(&m, dir, "/data", true);
    wg_value out;
    int64_t result = sbt_call_export("unstable_layouts.wasm", &m, export_name, &out) ? out.i64 : -1;
    wgsb_manifest_clear(&m);
    return result;
}

static void wasi_unstable_uses_the_snapshot_zero_layouts(void)
{
    char *dir = wgt_tempdir();
    if (!dir) return;
    sbt_write(dir, "digits.txt", "0123456789");
    CHECK_INT(call_unstable(dir, "seek_whence_2"), 3);
    CHECK_INT(call_unstable(dir, "size_at_24"), 10);
    wgt_rmtree(dir);
    free(dir);
}

int main(void)
{
    RUN(stdin_is_read_and_stdout_and_stderr_are_captured);
    RUN(empty_stdin_reads_as_end_of_file);
    RUN(large_stdin_passes_through_whole);
    RUN(file_written_under_a_grant_appears_on_the_host);
    RUN(file_on_the_host_is_read_and_appended_to);
    RUN(directory_listing_shows_every_entry);
    RUN(directory_listing_spans_many_readdir_calls);
    RUN(stat_reports_type_and_size);
    RUN(symlink_that_stays_inside_the_grant_is_followed);
    RUN(directories_are_made_renamed_and_removed);
    RUN(seek_tell_pread_and_truncate_work_on_files);
    RUN(two_grants_are_two_preopens);
    RUN(clocks_and_random_bytes_work);
    RUN(arguments_and_environment_are_exactly_the_manifests);
    RUN(no_arguments_and_no_environment_by_default);
    RUN(returning_from_main_with_zero_is_ok);
    RUN(exit_code_is_reported);
    RUN(sleep_within_the_deadline_completes);
    RUN(old_modules_importing_wasi_unstable_run);
    RUN(wasi_unstable_uses_the_snapshot_zero_layouts);
    return wgt_finish();
}
