/*
 * duration.h — the `?timeout=` query parameter kube-apiserver appends to webhook URLs.
 *
 * kube-apiserver formats the remaining deadline with Go's time.Duration.String(), so the
 * value is a Go duration: one or more decimal numbers each with a unit ("10s", "1m30s",
 * "1.5s", "500ms", "250us", "1h"). A bare number is taken as seconds, as a person typing a
 * URL by hand would expect.
 */
#ifndef WG_SERVER_DURATION_H
#define WG_SERVER_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a duration into nanoseconds (capped at one hour: nothing webhook-related waits
 * longer). Returns false with a message for anything else ("", "-1s", "10x", "s"). */
bool wgsrv_parse_duration(const char *text, uint64_t *ns, char *err, size_t errsz);

#endif /* WG_SERVER_DURATION_H */
