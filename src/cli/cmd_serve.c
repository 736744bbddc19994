/*
 * cmd_serve.c — `wasmgate serve`: the webhook server for kube-apiserver.
 *
 * This file only parses the command line; the server is the wg_server library
 * (src/server, wgsrv_main). A build without the ABI layer has no way to run modules, so
 * there the command explains that instead of serving.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

#ifdef WG_HAVE_SERVER
#include "server.h"
#endif

const char cli_serve_usage[] =
    "usage: wasmgate serve [--config FILE] [--check] [--modules DIR] [--listen HOST:PORT]\n"
    "                      [--workers N] [--log-level debug|info|warn|error]\n"
    "\n"
    "Serves the Kubernetes webhooks over HTTPS: POST /authenticate (TokenReview),\n"
    "/authorize (SubjectAccessReview), /validate and /mutate (AdmissionReview, the\n"
    "configured chains), /validate/NAME and /mutate/NAME (one module); GET /healthz,\n"
    "/readyz and /metrics (Prometheus). Reloads on SIGHUP and when the configuration or a\n"
    "module file changes; stops gracefully on SIGTERM or SIGINT. Logs are JSON lines on\n"
    "stderr. docs/configuration.md describes the configuration file.\n"
    "\n"
    "options:\n"
    "  --config FILE      the YAML configuration; without it, an embedded configuration\n"
    "                     serves the bundled example modules on 127.0.0.1:8443 with a\n"
    "                     self-signed certificate, and prints how to send it a request\n"
    "  --check            parse the configuration, load and compile every module, check the\n"
    "                     TLS files, report, and exit (0 if everything is fine)\n"
    "  --modules DIR      where the embedded configuration finds its modules (default:\n"
    "                     $WASMGATE_MODULES, else build/examples beside this program)\n"
    "  --listen HOST:PORT overrides server.listen (port 0 picks a free port)\n"
    "  --workers N        overrides server.workers (default: one per CPU)\n"
    "  --log-level LEVEL  debug, info (default), warn or error\n"
    "\n"
    "exit status: 0 clean shutdown or a valid configuration, 1 configuration or start-up\n"
    "error, 2 usage error\n";

int cli_cmd_serve(int argc, char **argv)
{
    const char *config = NULL, *modules = NULL, *listen = NULL, *workers = NULL, *log_level = NULL;
    bool check = false, help = false;
    const cli_option opts[] = {
        {"--config", 'c', true, NULL, &config}, {"--check", 0, false, &check, NULL},
        {"--modules", 0, true, NULL, &modules}, {"--listen", 'l', true, NULL, &listen},
        {"--workers", 0, true, NULL, &workers}, {"--log-level", 0, true, NULL, &log_level},
    };
    int npositional = 0;
    char err[256];
    if (!cli_parse_options(argc, argv, opts, sizeof opts / sizeof opts[0], &help, &npositional, err,
                           sizeof err))
        return cli_usage_error("serve", cli_serve_usage, "%s", err);
    if (help) {
        fputs(cli_serve_usage, stdout);
        return CLI_EXIT_OK;
    }
    if (npositional != 0)
        return cli_usage_error("serve", cli_serve_usage, "unexpected argument '%s'", argv[1]);
    unsigned nworkers = 0;
    if (workers) {
        char *end;
        unsigned long n = strtoul(workers, &end, 10);
        if (!*workers || *end || n == 0 || n > 1024)
            return cli_usage_error("serve", cli_serve_usage,
                                   "--workers must be a number from 1 to 1024, got '%s'", workers);
        nworkers = (unsigned)n;
    }
#ifdef WG_HAVE_SERVER
    wgsrv_options o = {config, modules, listen, nworkers, check, log_level};
    return wgsrv_main(&o);
#else
    (void)config;
    (void)modules;
    (void)listen;
    (void)log_level;
    (void)check;
    (void)nworkers;
    cli_error("serve", "this build has no module runtime (the ABI layer, src/abi, was not "
                       "built), so it cannot serve");
    return CLI_EXIT_FAILURE;
#endif
}
