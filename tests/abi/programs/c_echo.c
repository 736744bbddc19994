/*
 * c_echo.c — a k8s-wasm module in C built the way docs/module-authors.md tells authors to
 * (-nostartfiles -Wl,--no-entry: no _start, the export wrapped by wasm-ld so constructors
 * run and stdio is flushed), using wasi-libc's stdio: `validate` copies stdin to stdout and
 * says on stderr how many bytes it copied. The tests use it to check that every caller gets
 * its own input back, also when many threads call one module at once.
 */
#include <stdio.h>

__attribute__((export_name("validate"))) void validate(void);

void validate(void)
{
    char buf[4096];
    size_t n, total = 0;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        fwrite(buf, 1, n, stdout);
        total += n;
    }
    fprintf(stderr, "c_echo: %zu bytes\n", total);
}
