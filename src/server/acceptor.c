/*
 * acceptor.c — accepting connections and telling TLS from plain HTTP (see acceptor.h).
 *
 * One thread polls the listening socket, a wake-up pipe and the connections that have not
 * yet sent their first byte. Nothing here blocks: sockets are non-blocking and every waiting
 * connection has a deadline.
 */
#include "acceptor.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

typedef enum pending_state { WAITING_FIRST_BYTE, CLOSING } pending_state;

typedef struct pending {
    int fd;
    pending_state state;
    uint64_t deadline_ms;
    struct sockaddr_storage addr;
    socklen_t addrlen;
} pending;

struct wgsrv_acceptor {
    int listen_fd;
    int wake[2];
    unsigned idle_timeout_s;
    unsigned max_pending;
    wgsrv_handoff_fn handoff;
    void *arg;
    wgsrv_metrics *metrics;
    pending *pend;
    size_t npend;
    pthread_t thread;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int wgsrv_listen(const char *host, uint16_t port, char *bound, size_t boundsz, char *err,
                 size_t errsz)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%u", (unsigned)port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(err, errsz, "server.listen: cannot resolve \"%s\": %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    int last_errno = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        int one = 1, zero = 0;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        /* "::" should accept IPv4 too, as Go's listeners do. */
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0) break;
        last_errno = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errsz, "server.listen: cannot listen on %s:%u: %s", host, (unsigned)port,
                 strerror(last_errno));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char h[NI_MAXHOST] = "?", p[NI_MAXSERV] = "?";
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p, sizeof p,
                    NI_NUMERICHOST | NI_NUMERICSERV);
    if (ss.ss_family == AF_INET6)
        snprintf(bound, boundsz, "[%s]:%s", h, p);
    else
        snprintf(bound, boundsz, "%s:%s", h, p);
    return fd;
}

static void remove_pending(wgsrv_acceptor *a, size_t i, bool close_fd)
{
    if (close_fd) close(a->pend[i].fd);
    a->pend[i] = a->pend[--a->npend];
}

static const char plain_http_body[] =
    "Client sent an HTTP request to an HTTPS server: this port speaks TLS; use https://\n";

/* Answers a plain HTTP request and lets the client read the answer before closing: a close
 * with unread request bytes would send a reset that can destroy the reply in flight. */
static void reject_plain_http(wgsrv_acceptor *a, size_t i)
{
    pending *p = &a->pend[i];
    char sink[4096];
    while (recv(p->fd, sink, sizeof sink, 0) > 0) {
    }
    char reply[512];
    int len = snprintf(reply, sizeof reply,
                       "HTTP/1.1 400 Bad Request\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n"
                       "Connection: close\r\n"
                       "Content-Length: %zu\r\n\r\n%s",
                       sizeof plain_http_body - 1, plain_http_body);
    ssize_t n = send(p->fd, reply, (size_t)len, MSG_NOSIGNAL);
    (void)n; /* a client gone already does not need the explanation */
    shutdown(p->fd, SHUT_WR);
    p->state = CLOSING;
    p->deadline_ms = now_ms() + 2000;
    wgsrv_metrics_rejected(a->metrics, "plain_http");
}

static void on_readable(wgsrv_acceptor *a, size_t i)
{
    pending *p = &a->pend[i];
    unsigned char first;
    if (p->state == CLOSING) {
        char sink[4096];
        ssize_t n = recv(p->fd, sink, sizeof sink, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) remove_pending(a, i, true);
        return;
    }
    ssize_t n = recv(p->fd, &first, 1, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        remove_pending(a, i, true);
        return;
    }
    if (first == 0x16) { /* TLS handshake record */
        pending taken = *p;
        remove_pending(a, i, false);
        if (!a->handoff(a->arg, taken.fd, (struct sockaddr *)&taken.addr, taken.addrlen))
            wgsrv_log_message(WGSRV_LOG_WARN, "connection not accepted by the HTTP server",
                              strerror(errno));
        return;
    }
    if ((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z')) {
        reject_plain_http(a, i);
        return;
    }
    /* Neither TLS nor HTTP: nothing useful can be said to it. */
    remove_pending(a, i, true);
}

static void accept_all(wgsrv_acceptor *a)
{
    while (a->npend < a->max_pending) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(a->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN, or a transient error (EMFILE...) retried next poll */
        int one = 1;
        /* Replies are small and latency matters more than packet count. */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pending *p = &a->pend[a->npend++];
        p->fd = fd;
        p->state = WAITING_FIRST_BYTE;
        p->deadline_ms = now_ms() + (uint64_t)a->idle_timeout_s * 1000;
        p->addr = ss;
        p->addrlen = sl;
    }
}

static void *acceptor_main(void *arg)
{
    wgsrv_acceptor *a = arg;
    struct pollfd *fds = calloc(a->max_pending + 2, sizeof *fds);
    if (!fds) {
        wgsrv_log_message(WGSRV_LOG_ERROR, "acceptor: out of memory", NULL);
        return NULL;
    }
    for (;;) {
        fds[0].fd = a->wake[0];
        fds[0].events = POLLIN;
        /* A full table stops accepting; the kernel's backlog holds the rest meanwhile. */
        fds[1].fd = a->npend < a->max_pending ? a->listen_fd : -1;
        fds[1].events = POLLIN;
        uint64_t now = now_ms(), next = now + 60000;
        for (size_t i = 0; i < a->npend; i++) {
            fds[i + 2].fd = a->pend[i].fd;
            fds[i + 2].events = POLLIN;
            fds[i + 2].revents = 0;
            if (a->pend[i].deadline_ms < next) next = a->pend[i].deadline_ms;
        }
        int timeout = next > now ? (int)(next - now) : 0;
        size_t npolled = a->npend;
        int rc = poll(fds, npolled + 2, timeout);
        if (rc < 0 && errno != EINTR) break;
        if (rc > 0 && (fds[0].revents & POLLIN)) break; /* stop requested */
        /* Walk backwards: remove_pending moves the last entry into the freed slot. */
        for (size_t i = npolled; i-- > 0;) {
            if (rc > 0 && fds[i + 2].revents) on_readable(a, i);
        }
        now = now_ms();
        for (size_t i = a->npend; i-- > 0;) {
            if (a->pend[i].deadline_ms <= now) {
                if (a->pend[i].state == WAITING_FIRST_BYTE)
                    wgsrv_metrics_rejected(a->metrics, "idle");
                remove_pending(a, i, true);
            }
        }
        if (rc > 0 && (fds[1].revents & POLLIN)) accept_all(a);
    }
    free(fds);
    return NULL;
}

wgsrv_acceptor *wgsrv_acceptor_start(int listen_fd, unsigned idle_timeout_s, unsigned max_pending,
                                     wgsrv_handoff_fn handoff, void *arg, wgsrv_metrics *metrics,
                                     char *err, size_t errsz)
{
    wgsrv_acceptor *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, errsz, "acceptor: out of memory");
        return NULL;
    }
    a->listen_fd = listen_fd;
    a->idle_timeout_s = idle_timeout_s;
    a->max_pending = max_pending ? max_pending : 1;
    a->handoff = handoff;
    a->arg = arg;
    a->metrics = metrics;
    a->pend = calloc(a->max_pending, sizeof *a->pend);
    if (!a->pend || pipe2(a->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf(err, errsz, "acceptor: %s", a->pend ? strerror(errno) : "out of memory");
        free(a->pend);
        free(a);
        return NULL;
    }
    int rc = pthread_create(&a->thread, NULL, acceptor_main, a);
    if (rc != 0) {
        snprintf(err, errsz, "acceptor: cannot start its thread: %s", strerror(rc));
        close(a->wake[0]);
        close(a->wake[1]);
        free(a->pend);
        free(a);
        return NULL;
    }
    return a;
}

void wgsrv_acceptor_stop(wgsrv_acceptor *a)
{
    if (!a) return;
    char c = 1;
    while (write(a->wake[1], &c, 1) < 0 && errno == EINTR) {
    }
    pthread_join(a->thread, NULL);
    for (size_t i = 0; i < a->npend; i++)
        close(a->pend[i].fd);
    close(a->listen_fd);
    close(a->wake[0]);
    close(a->wake[1]);
    free(a->pend);
    free(a);
}
