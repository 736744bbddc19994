/*
 * fsops.c — a real program's file operations through wasi-libc, one per
 * run: `fsops OP ARGS...`. Prints results on stdout; on failure prints
 * "error: MESSAGE (errno N)" (wasi-libc's errno values are WASI's) and
 * exits 1.
 *
 *   write PATH TEXT | append PATH TEXT | read PATH | ls DIR | stat PATH |
 *   lstat PATH | mkdir PATH | rmdir PATH | rm PATH | mv FROM TO |
 *   seek PATH | truncate PATH SIZE | readlink PATH | mkmany DIR N |
 *   openmany DIR N
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(void)
{
    printf("error: %s (errno %d)\n", strerror(errno), errno);
    return 1;
}

static int put(const char *path, const char *text, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f) return fail();
    if (fputs(text, f) < 0) return fail();
    if (fclose(f) != 0) return fail();
    puts("ok");
    return 0;
}

static int cat(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return fail();
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ls(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return fail();
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", names[i]);
    printf("%zu entries\n", n);
    return 0;
}

static const char *type_of(mode_t m)
{
    return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "symlink" : "other";
}

static int do_stat(const char *path, int follow)
{
    struct stat st;
    if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) return fail();
    printf("type=%s size=%lld\n", type_of(st.st_mode), (long long)st.st_size);
    return 0;
}

static int seek(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return fail();
    char buf[8] = {0};
    if (lseek(fd, 2, SEEK_SET) != 2) return fail();
    if (read(fd, buf, 3) != 3) return fail();
    off_t pos = lseek(fd, 0, SEEK_CUR);
    char first[3] = {0};
    if (pread(fd, first, 2, 0) != 2) return fail();
    off_t end = lseek(fd, 0, SEEK_END);
    printf("read=%s pos=%lld pread=%s end=%lld\n", buf, (long long)pos, first, (long long)end);
    close(fd);
    return 0;
}

static int mkmany(const char *dir, int n)
{
    char path[512];
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/a-rather-long-file-name-to-fill-readdir-buffers-%04d", dir,
                 i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return fail();
        close(fd);
    }
    printf("created %d\n", n);
    return 0;
}

static int openmany(const char *dir, int n)
{
    char path[512];
    int opened = 0;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/f%d", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT, 0644);
        if (fd < 0) {
            printf("opened %d, then errno %d\n", opened, errno);
            return 0;
        }
        opened++;
    }
    printf("opened %d\n", opened);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        puts("usage: fsops OP ARGS...");
        return 2;
    }
    const char *op = argv[1], *a = argv[2], *b = argc > 3 ? argv[3] : "";
    if (strcmp(op, "write") == 0) return put(a, b, "w");
    if (strcmp(op, "append") == 0) return put(a, b, "a");
    if (strcmp(op, "read") == 0) return cat(a);
    if (strcmp(op, "ls") == 0) return ls(a);
    if (strcmp(op, "stat") == 0) return do_stat(a, 1);
    if (strcmp(op, "lstat") == 0) return do_stat(a, 0);
    if (strcmp(op, "mkdir") == 0) return mkdir(a, 0755) == 0 ? (puts("ok"), 0) : fail();
    if (strcmp(op, "rmdir") == 0) return rmdir(a) == 0 ? (puts("ok"), 0) : fail();
    if (strcmp(op, "rm") == 0) return unlink(a) == 0 ? (puts("ok"), 0) : fail();
    if (strcmp(op, "mv") == 0) return rename(a, b) == 0 ? (puts("ok"), 0) : fail();
    if (strcmp(op, "seek") == 0) return seek(a);
    if (strcmp(op, "truncate") == 0) return truncate(a, atol(b)) == 0 ? (puts("ok"), 0) : fail();
    if (strcmp(op, "readlink") == 0) {
        char buf[256];
        ssize_t n = readlink(a, buf, sizeof buf - 1);
        if (n < 0) return fail();
        buf[n] = '\0';
        printf("%s\n", buf);
        return 0;
    }
    if (strcmp(op, "mkmany") == 0) return mkmany(a, atoi(b));
    if (strcmp(op, "openmany") == 0) return openmany(a, atoi(b));
    printf("unknown op %s\n", op);
    return 2;
}
