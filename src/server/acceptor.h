/*
 * acceptor.h — the listening socket and the thread that accepts connections before handing
 * them to libmicrohttpd.
 *
 * Why not let MHD accept: a client that speaks plain HTTP to the TLS port would only see
 * its connection fail in the TLS handshake. The acceptor looks at the first byte a client
 * sends (without consuming it): 0x16 starts a TLS handshake and the connection goes to MHD
 * (MHD_add_connection); an ASCII letter starts a plain HTTP request, which gets
 * "400 Bad Request" with a message saying to use https://. A client that sends nothing is
 * closed after the idle timeout, so slow or idle connections cannot pile up here.
 */
#ifndef WG_SERVER_ACCEPTOR_H
#define WG_SERVER_ACCEPTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "metrics.h"

/* Takes ownership of fd (a TLS client); returns false if it could not (fd is closed). */
typedef bool (*wgsrv_handoff_fn)(void *arg, int fd, const struct sockaddr *addr, socklen_t len);

/*
 * Binds and listens on host:port (port 0 picks a free port). Returns the socket, or -1 with
 * a message. `bound` receives the actual "address:port".
 */
int wgsrv_listen(const char *host, uint16_t port, char *bound, size_t boundsz, char *err,
                 size_t errsz);

typedef struct wgsrv_acceptor wgsrv_acceptor;

wgsrv_acceptor *wgsrv_acceptor_start(int listen_fd, unsigned idle_timeout_s, unsigned max_pending,
                                     wgsrv_handoff_fn handoff, void *arg, wgsrv_metrics *metrics,
                                     char *err, size_t errsz);

/* Stops accepting, closes the listening socket and every connection not yet handed off. */
void wgsrv_acceptor_stop(wgsrv_acceptor *a);

#endif /* WG_SERVER_ACCEPTOR_H */
