/*
 * trap.h — the representation of wg_trap, internal to the engine.
 */
#ifndef WASMGATE_ENGINE_TRAP_H
#define WASMGATE_ENGINE_TRAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasmgate/wg.h"

struct wg_trap {
    wg_trap_kind kind;
    int32_t exit_status; /* WG_TRAP_EXIT only */
    uint32_t func;       /* function index, or UINT32_MAX */
    bool is_static;      /* the preallocated out-of-memory trap; never freed */
    char message[256];
};

/* The spec's wording for each kind of trap ("integer divide by zero", ...). */
const char *wge_trap_default_message(wg_trap_kind kind);

/* Creates a trap; fmt NULL uses the default message. Never returns NULL. */
wg_trap *wge_trap_make(wg_trap_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
wg_trap *wge_trap_vnew(wg_trap_kind kind, const char *fmt, va_list ap);

#endif /* WASMGATE_ENGINE_TRAP_H */
