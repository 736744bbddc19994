/*
 * main.c — the wasmgate command-line entry point: the table of subcommands
 * and the dispatch to them.
 *
 * Everything a subcommand does lives in its own cmd_*.c file; this file only
 * knows names, one-line summaries and handlers. `wasmgate --help` lists the
 * table, `wasmgate help CMD` prints a command's usage, and anything unknown
 * is a usage error (exit 2) so scripts notice typos.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Adding a subcommand: one row here, one cmd_*.c file, declarations in cli.h. */
static const cli_command commands[] = {
    {"exec", "run a WASI command module in the sandbox, stdio passed through", cli_exec_usage,
     cli_cmd_exec},
    {"inspect", "show a module's imports, exports, custom sections and ABI", cli_inspect_usage,
     cli_cmd_inspect},
    {"run", "evaluate one review with a module exactly as the server would", cli_run_usage,
     cli_cmd_run},
    {"serve", "serve the Kubernetes webhooks (authn, authz, admission) over HTTPS",
     cli_serve_usage, cli_cmd_serve},
    {"spectest", "run a WebAssembly spec script converted by wast2json", cli_spectest_usage,
     cli_cmd_spectest},
    {"version", "print the version", cli_version_usage, cli_cmd_version},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    }
    return NULL;
}

static void print_overview(FILE *out)
{
    fprintf(out,
            "usage: %s COMMAND [ARGS...]\n"
            "       %s help COMMAND\n"
            "\n"
            "Kubernetes authentication, authorization and admission through WebAssembly "
            "modules.\n"
            "\n"
            "commands:\n",
            CLI_PROGRAM, CLI_PROGRAM);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out, "  %-10s %s\n", "help", "show the usage of a command");
    fprintf(out, "\nexit status: 0 success, 1 failure, 2 usage error\n");
}

/* `wasmgate help [COMMAND]`. */
static int run_help(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 2) {
        fprintf(stderr, "%s help: expected one command name, got %d arguments\n\n", CLI_PROGRAM,
                argc - 1);
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    const cli_command *cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "%s help: unknown command '%s'\n\n", CLI_PROGRAM, argv[1]);
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    fputs(cmd->usage, stdout);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_overview(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) return cli_cmd_version(1, argv + 1);
    if (strcmp(name, "help") == 0) return run_help(argc - 1, argv + 1);

    const cli_command *cmd = find_command(name);
    if (!cmd) {
        if (name[0] == '-') {
            fprintf(stderr, "%s: unknown option '%s'\n\n", CLI_PROGRAM, name);
        } else {
            fprintf(stderr, "%s: unknown command '%s'\n\n", CLI_PROGRAM, name);
        }
        print_overview(stderr);
        return CLI_EXIT_USAGE;
    }
    int status = cmd->run(argc - 1, argv + 1);
    /* A full disk or closed pipe must not turn a failure report into success. */
    if (fflush(stdout) != 0 && status == CLI_EXIT_OK) {
        perror(CLI_PROGRAM ": writing output");
        return CLI_EXIT_FAILURE;
    }
    return status;
}
