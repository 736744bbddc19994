/*
 * exitcode.c — exits with the status given as its first argument, after
 * writing a line to stdout and one to stderr (exec's pass-through tests).
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting with %d\n", code);
    fprintf(stderr, "this goes to stderr\n");
    fflush(stdout);
    exit(code);
}
