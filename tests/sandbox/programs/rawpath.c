/*
 * rawpath.c — hostile: calls WASI path functions directly on the first
 * preopen (fd 3), bypassing wasi-libc's own path checks, so the host is
 * what must refuse. `rawpath OP PATH [COUNT]` prints "errno=N" (0 on
 * success; then for "open", the first line of the file).
 *
 *   open (follow symlinks) | open-nofollow | create | stat | mkdir |
 *   unlink | rename PATH (to PATH.moved) | symlink PATH | fdstat (of fd 3,
 *   PATH ignored)
 * COUNT repeats the call (to flood the denial log).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        puts("usage: rawpath OP PATH [COUNT]");
        return 2;
    }
    const char *op = argv[1], *path = argv[2];
    int count = argc > 3 ? atoi(argv[3]) : 1;
    __wasi_errno_t e = 0;
    __wasi_fd_t fd = 0;
    for (int i = 0; i < count; i++) {
        if (strcmp(op, "open") == 0 || strcmp(op, "open-nofollow") == 0) {
            __wasi_lookupflags_t lf =
                strcmp(op, "open") == 0 ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0;
            e = __wasi_path_open(3, lf, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
        } else if (strcmp(op, "create") == 0) {
            e = __wasi_path_open(3, 0, path, __WASI_OFLAGS_CREAT,
                                 __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
        } else if (strcmp(op, "stat") == 0) {
            __wasi_filestat_t st;
            e = __wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, &st);
        } else if (strcmp(op, "mkdir") == 0) {
            e = __wasi_path_create_directory(3, path);
        } else if (strcmp(op, "unlink") == 0) {
            e = __wasi_path_unlink_file(3, path);
        } else if (strcmp(op, "rename") == 0) {
            char to[512];
            snprintf(to, sizeof to, "%s.moved", path);
            e = __wasi_path_rename(3, path, 3, to);
        } else if (strcmp(op, "symlink") == 0) {
            e = __wasi_path_symlink("/etc/passwd", 3, path);
        } else if (strcmp(op, "fdstat") == 0) {
            __wasi_fdstat_t st;
            e = __wasi_fd_fdstat_get(3, &st);
            if (!e)
                printf("type=%u base=%llx inheriting=%llx\n", st.fs_filetype,
                       (unsigned long long)st.fs_rights_base,
                       (unsigned long long)st.fs_rights_inheriting);
        } else {
            printf("unknown op %s\n", op);
            return 2;
        }
        if (!e && fd > 2 && i + 1 < count) (void)!__wasi_fd_close(fd);
    }
    printf("errno=%u\n", (unsigned)e);
    if (!e && fd > 2 && strncmp(op, "open", 4) == 0) {
        char buf[200];
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        __wasi_size_t n = 0;
        if (__wasi_fd_read(fd, &iov, 1, &n) == 0) {
            buf[n] = '\0';
            char *nl = strchr(buf, '\n');
            if (nl) *nl = '\0';
            printf("first line: %s\n", buf);
        }
    }
    return 0;
}
