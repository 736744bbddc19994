/*
 * reactor_ctor.c — a k8s-wasm module built as a WASI reactor (-mexec-model=reactor, see
 * tests/abi/CMakeLists.txt): wasi-libc's _initialize runs the C constructors, so `validate`
 * answers correctly (for the uid "abi-uid-1") only if the host called _initialize before
 * it, and answers {"error": ...} otherwise. Reactor exports are not wrapped in start-up and
 * clean-up code, so the module flushes stdout itself.
 */
#include <stdio.h>

static const char *state = "constructors did not run";

__attribute__((constructor)) static void construct(void)
{
    state = "constructed";
}

__attribute__((export_name("validate"))) void validate(void);

void validate(void)
{
    if (state[0] == 'c' && state[1] == 'o')
        fputs("{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
              "\"response\":{\"uid\":\"abi-uid-1\",\"allowed\":true}}}",
              stdout);
    else
        printf("{\"error\":\"reactor_ctor: %s (was _initialize called?)\"}", state);
    fprintf(stderr, "reactor_ctor: %s\n", state);
    fflush(stdout);
}
