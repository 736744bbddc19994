/*
 * trap.c — traps as values: a kind, a message, the function that was
 * running, and for host-requested exits a status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trap.h"

/* Statically allocated trap returned when allocating a trap fails. */
static struct wg_trap out_of_memory_trap = {
    .kind = WG_TRAP_HOST,
    .func = UINT32_MAX,
    .is_static = true,
    .message = "out of host memory while reporting a trap",
};

const char *wge_trap_default_message(wg_trap_kind kind)
{
    switch (kind) {
    case WG_TRAP_UNREACHABLE: return "unreachable";
    case WG_TRAP_MEMORY_OUT_OF_BOUNDS: return "out of bounds memory access";
    case WG_TRAP_TABLE_OUT_OF_BOUNDS: return "out of bounds table access";
    case WG_TRAP_UNDEFINED_ELEMENT: return "undefined element";
    case WG_TRAP_NULL_FUNCTION: return "uninitialized element";
    case WG_TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
    case WG_TRAP_DIVIDE_BY_ZERO: return "integer divide by zero";
    case WG_TRAP_INTEGER_OVERFLOW: return "integer overflow";
    case WG_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WG_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case WG_TRAP_FUEL_EXHAUSTED: return "fuel exhausted";
    case WG_TRAP_TIMEOUT: return "timeout: deadline exceeded";
    case WG_TRAP_INTERRUPTED: return "interrupted";
    case WG_TRAP_MEMORY_LIMIT: return "memory limit exceeded";
    case WG_TRAP_TABLE_LIMIT: return "table limit exceeded";
    case WG_TRAP_HOST: return "host function failed";
    case WG_TRAP_EXIT: return "exit";
    }
    return "trap";
}

wg_trap *wge_trap_vnew(wg_trap_kind kind, const char *fmt, va_list ap)
{
    char buf[sizeof(((wg_trap *)0)->message)];
    if (fmt) {
        vsnprintf(buf, sizeof buf, fmt, ap);
    } else {
        snprintf(buf, sizeof buf, "%s", wge_trap_default_message(kind));
    }
    wg_trap *t = calloc(1, sizeof *t);
    if (!t) return &out_of_memory_trap;
    t->kind = kind;
    t->func = UINT32_MAX;
    memcpy(t->message, buf, sizeof buf);
    return t;
}

wg_trap *wge_trap_make(wg_trap_kind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wg_trap *t = wge_trap_vnew(kind, fmt, ap);
    va_end(ap);
    return t;
}

wg_trap *wg_trap_new(wg_trap_kind kind, const char *fmt, ...)
{
    if (kind < WG_TRAP_UNREACHABLE || kind > WG_TRAP_EXIT) kind = WG_TRAP_HOST;
    va_list ap;
    va_start(ap, fmt);
    wg_trap *t = wge_trap_vnew(kind, fmt, ap);
    va_end(ap);
    return t;
}

wg_trap *wg_trap_exit(int32_t status)
{
    wg_trap *t = wge_trap_make(WG_TRAP_EXIT, "exit with status %d", (int)status);
    if (!t->is_static) t->exit_status = status;
    return t;
}

wg_trap_kind wg_trap_kind_of(const wg_trap *t) { return t->kind; }
const char *wg_trap_message(const wg_trap *t) { return t->message; }
int32_t wg_trap_exit_status(const wg_trap *t) { return t->exit_status; }
uint32_t wg_trap_function(const wg_trap *t) { return t->func; }

void wg_trap_free(wg_trap *t)
{
    if (t && !t->is_static) free(t);
}
