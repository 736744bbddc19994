/*
 * flood.c — hostile: writes to stdout (or, with argument "stderr", to
 * stderr) forever. The sandbox must end it at the output limit (stdout) or
 * cut the capture (stderr) and let a limit stop it.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int fd = argc > 1 && strcmp(argv[1], "stderr") == 0 ? 2 : 1;
    long limit = argc > 2 ? atol(argv[2]) : -1;
    char line[64];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    for (long i = 0; limit < 0 || i < limit; i++)
        if (write(fd, line, sizeof line) < 0) return 1;
    return 0;
}
