/*
 * cmd_version.c — `wasmgate version`: prints the program's version.
 *
 * The version comes from the CMake project (WG_VERSION), so there is one
 * place to change it.
 */
#include <stdio.h>

#include <jansson.h>

#include "cli.h"

#ifndef WG_VERSION
#define WG_VERSION "unknown"
#endif

const char cli_version_usage[] = "usage: wasmgate version\n"
                                 "\n"
                                 "Prints the version of wasmgate and of the libraries it uses.\n";

int cli_cmd_version(int argc, char **argv)
{
    bool help = false;
    int npositional = 0;
    char err[256];
    if (!cli_parse_options(argc, argv, NULL, 0, &help, &npositional, err, sizeof err))
        return cli_usage_error("version", cli_version_usage, "%s", err);
    if (help) {
        fputs(cli_version_usage, stdout);
        return CLI_EXIT_OK;
    }
    if (npositional != 0)
        return cli_usage_error("version", cli_version_usage, "unexpected argument '%s'", argv[1]);
    printf("%s %s (WebAssembly 2.0 engine; jansson %s)\n", CLI_PROGRAM, WG_VERSION,
           jansson_version_str());
    return CLI_EXIT_OK;
}
