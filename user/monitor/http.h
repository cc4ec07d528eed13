/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Prometheus metrics over HTTP, served by libmicrohttpd on its own thread.
 *
 *   GET or HEAD /metrics  200, the render function's body, text format 0.0.4
 *   GET or HEAD /         200, a line pointing at /metrics
 *   other paths           404
 *   other methods         405 with "Allow: GET, HEAD"
 *   a request with a body 413
 *
 * At most 32 connections, 8 from one client address (struct http_limits:
 * idle connections from one client must not starve another's scrape);
 * one idle for 10 s is closed. The server thread
 * blocks the asynchronous signals, so SIGINT and SIGTERM reach the main
 * thread, and no write to a vanished client raises SIGPIPE.
 */
#ifndef GW_HTTP_H
#define GW_HTTP_H

#include <sys/socket.h>

/*
 * Called on the server's thread for each GET or HEAD of /metrics, never
 * on two requests at once: returns a malloc'd body (the server frees it)
 * and its length in *len, or NULL (-> 500). It runs concurrently with the
 * caller's threads: lock what it reads.
 */
typedef char *(*http_render_fn)(void *ctx, size_t *len);

struct http_srv;

#define HTTP_DEFAULT_CONNS 32u
#define HTTP_DEFAULT_PER_CLIENT 8u
#define HTTP_DEFAULT_IDLE_S 10u

struct http_limits {
	unsigned int conns;		/* connections at most; 0: the default */
	unsigned int per_client;	/* from one address (capped at conns); 0: default */
	unsigned int idle_s;		/* an idle connection is closed after; 0: default */
};

/*
 * lim may be NULL (the defaults). listen is "ADDR:PORT": IPv4 "127.0.0.1:9464", IPv6 "[::1]:9464" (with
 * "%IFACE" for a link-local address), or ":9464" for every IPv4 and IPv6
 * address (IPv4 only if the host has no IPv6). Numeric addresses only: no
 * name is resolved. PORT 0 binds a free port, which http__port() tells.
 * On failure returns NULL, says why with pr_err and sets *err (if not
 * NULL) to a negative errno: -EINVAL (bad syntax), -EADDRINUSE,
 * -EADDRNOTAVAIL (not an address of this host), -EACCES, ...
 */
struct http_srv *http__start(const char *listen, const struct http_limits *lim,
			     http_render_fn fn, void *ctx, int *err);

/*
 * Parses listen as http__start does, without binding anything (for the
 * CLI to reject a bad --listen before loading BPF): 0 or -EINVAL. Quiet;
 * ss and sslen may be NULL.
 */
int http__parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen);

/* Why listen does not parse, e.g. "host names are not resolved: ..."; NULL if it does. */
const char *http__listen_problem(const char *listen);

unsigned short http__port(const struct http_srv *s);

/* NULL-safe. Waits for the server thread (and so for a render in
 * progress) to end, then closes the socket. */
void http__stop(struct http_srv *s);

#endif /* GW_HTTP_H */
