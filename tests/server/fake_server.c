/*
 * fake_server.c — `wasmgate serve` linked against the fake ABI layer (fake_abi.c): the same
 * server code (wgsrv_main) with modules that behave on command, for the end-to-end tests.
 * Takes the options of `wasmgate serve`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

int main(int argc, char **argv)
{
    wgsrv_options o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "serve") == 0) continue;
        if (strcmp(a, "--check") == 0)
            o.check = true;
        else if (strcmp(a, "--config") == 0 && v)
            o.config_path = v, i++;
        else if (strcmp(a, "--modules") == 0 && v)
            o.modules_dir = v, i++;
        else if (strcmp(a, "--listen") == 0 && v)
            o.listen = v, i++;
        else if (strcmp(a, "--workers") == 0 && v)
            o.workers = (unsigned)atoi(v), i++;
        else if (strcmp(a, "--log-level") == 0 && v)
            o.log_level = v, i++;
        else {
            fprintf(stderr, "wgsrv_fake_server: unknown argument %s\n", a);
            return 2;
        }
    }
    return wgsrv_main(&o);
}
