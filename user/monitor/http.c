// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /metrics over HTTP; see http.h for the contract. libmicrohttpd does the
 * HTTP; we bind the socket ourselves, which gives the real port when asked
 * for port 0 and a precise errno when the bind fails.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include "http.h"
#include "log.h"

#define HTTP_BACKLOG 64

#define TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define TYPE_TEXT "text/plain; charset=utf-8"

struct http_srv {
	struct MHD_Daemon *d;
	http_render_fn fn;
	void *ctx;
	unsigned short port;
	atomic_bool running; /* MHD's messages from now on are client noise */
};

/* ---- parsing ---- */

static const char *const msg_names =
	"host names are not resolved: give a numeric address, "
	"as in 127.0.0.1:9464 or [::1]:9464, or :9464 for all addresses";

/* Digits only, 0..65535. */
static int port__parse(const char *s, unsigned short *port)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (!i || v > 65535)
		return -EINVAL;
	*port = (unsigned short)v;
	return 0;
}

/* "ADDR[%IFACE]" (n bytes at s) into sin6. */
static const char *ipv6__parse(const char *s, size_t n, struct sockaddr_in6 *sin6)
{
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	char *scope;

	if (n >= sizeof(buf))
		return "not an IPv6 address";
	memcpy(buf, s, n);
	buf[n] = '\0';
	scope = strchr(buf, '%');
	if (scope)
		*scope++ = '\0';
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return "not an IPv6 address";
	if (scope) {
		/* Resolving an interface name is local, not DNS. */
		sin6->sin6_scope_id = if_nametoindex(scope);
		if (!sin6->sin6_scope_id)
			return "no such interface after '%'";
	}
	sin6->sin6_family = AF_INET6;
	return NULL;
}

/* "ADDR" (n bytes at s) into sin; an empty one is the IPv6 wildcard. */
static const char *ipv4__parse(const char *s, size_t n, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	char buf[INET_ADDRSTRLEN];

	if (!n) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6; /* :: */
		return NULL;
	}
	if (strspn(s, "0123456789.") < n)
		return memchr(s, ':', n) ? "an IPv6 address goes in brackets, as in [::1]:9464"
					 : msg_names;
	if (n >= sizeof(buf))
		return "not an IPv4 address";
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* inet_pton, not inet_aton: "127.1" is a typo, not 127.0.0.1. */
	if (inet_pton(AF_INET, buf, &sin->sin_addr) != 1)
		return "not an IPv4 address";
	sin->sin_family = AF_INET;
	return NULL;
}

/* NULL when listen parses into ss, else why not. */
static const char *listen__parse(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *end, *colon, *why;
	unsigned short port;

	memset(ss, 0, sizeof(*ss));
	if (!listen || !*listen)
		return "empty address: give ADDR:PORT, as in 127.0.0.1:9464";
	if (*listen == '[') {
		end = strchr(listen, ']');
		if (!end)
			return "missing ']' after the IPv6 address";
		colon = end + 1;
		if (*colon != ':')
			return "missing :PORT after ']', as in [::1]:9464";
		why = ipv6__parse(listen + 1, (size_t)(end - listen - 1),
				  (struct sockaddr_in6 *)ss);
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			return strspn(listen, "0123456789.") < strlen(listen)
				       ? msg_names
				       : "missing :PORT, as in 127.0.0.1:9464, [::1]:9464 or :9464";
		why = ipv4__parse(listen, (size_t)(colon - listen), ss);
	}
	if (why)
		return why;
	if (!colon[1])
		return "missing port after ':'";
	if (port__parse(colon + 1, &port))
		return "the port is not a number 0..65535";
	if (ss->ss_family == AF_INET) {
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		*len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
		*len = sizeof(struct sockaddr_in6);
	}
	return NULL;
}

int http__parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct sockaddr_storage tmp;
	socklen_t len;

	if (listen__parse(listen, &tmp, &len))
		return -EINVAL;
	if (ss)
		*ss = tmp;
	if (sslen)
		*sslen = len;
	return 0;
}

const char *http__listen_problem(const char *listen)
{
	struct sockaddr_storage tmp;
	socklen_t len;

	return listen__parse(listen, &tmp, &len);
}

/* ---- requests ---- */

/* Queues a response of n bytes at body; frees body if must_free, even on failure. */
static enum MHD_Result http__reply(struct MHD_Connection *c, unsigned int status, const char *type,
				   const char *body, size_t n, bool must_free)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(
		n, (void *)body, must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (must_free)
			free((void *)body);
		return MHD_NO; /* closes the connection */
	}
	ret = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (ret == MHD_YES && status == MHD_HTTP_METHOD_NOT_ALLOWED)
		ret = MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (ret == MHD_YES)
		ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r); /* the queue holds its own reference */
	return ret;
}

static enum MHD_Result http__text(struct MHD_Connection *c, unsigned int status, const char *text)
{
	return http__reply(c, status, TYPE_TEXT, text, strlen(text), false);
}

static bool http__has_body(struct MHD_Connection *c)
{
	const char *cl =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl && strspn(cl, "0") != strlen(cl)) ||
	       MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

/* What a request gets, from what we know once its headers are in. */
static unsigned int http__status(const char *url, const char *method, bool body)
{
	if (strcmp(url, "/metrics") && strcmp(url, "/"))
		return MHD_HTTP_NOT_FOUND;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return MHD_HTTP_METHOD_NOT_ALLOWED;
	return body ? MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_OK;
}

static enum MHD_Result http__answer(struct http_srv *s, struct MHD_Connection *c,
				    unsigned int status, const char *url)
{
	char *body;
	size_t n = 0;

	switch (status) {
	case MHD_HTTP_NOT_FOUND:
		return http__text(c, status, "not found: the metrics are at /metrics\n");
	case MHD_HTTP_METHOD_NOT_ALLOWED:
		return http__text(c, status, "method not allowed: use GET or HEAD\n");
	case MHD_HTTP_CONTENT_TOO_LARGE:
		return http__text(c, status, "a request body is not accepted here\n");
	}
	if (strcmp(url, "/metrics"))
		return http__text(c, MHD_HTTP_OK, "gwtrace: Prometheus metrics are at /metrics\n");
	/* HEAD renders too: its Content-Length must be the GET's. */
	body = s->fn(s->ctx, &n);
	if (!body)
		return http__text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "gwtrace could not render the metrics\n");
	return http__reply(c, MHD_HTTP_OK, TYPE_METRICS, body, n, true);
}

/*
 * MHD calls this once with the headers, then with the body (none here).
 * A request with a body is answered on the first call, which tells MHD to
 * close the connection instead of reading the body we refuse. The others
 * are answered on the second call: a response queued before the request
 * is complete would close the connection too, and Prometheus keeps its
 * connections alive between scrapes.
 */
static enum MHD_Result http__handle(void *cls, struct MHD_Connection *c, const char *url,
				    const char *method, const char *version, const char *upload,
				    size_t *upload_size, void **req_cls)
{
	struct http_srv *s = cls;
	bool body = http__has_body(c);
	unsigned int status = http__status(url, method, body);

	(void)version;
	(void)upload;
	if (!*req_cls) {
		*req_cls = s; /* seen */
		return body ? http__answer(s, c, status, url) : MHD_YES;
	}
	if (*upload_size) /* a body without Content-Length or chunking? */
		return MHD_NO;
	return http__answer(s, c, status, url);
}

/* ---- the server ---- */

static void http__log(void *cls, const char *fmt, va_list ap)
{
	struct http_srv *s = cls;
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (atomic_load(&s->running))
		pr_debug("http: %s", buf);
	else
		pr_warn("http: %s", buf);
}

static int http__bind(const char *spec, struct sockaddr_storage *ss, socklen_t len)
{
	int fd, err, one = 1, zero = 0;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 && errno == EAFNOSUPPORT && spec[0] == ':') {
		/* ":PORT" on a host without IPv6: all its IPv4 addresses. */
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = ((struct sockaddr_in6 *)ss)->sin6_port,
			.sin_addr.s_addr = htonl(INADDR_ANY),
		};

		memset(ss, 0, sizeof(*ss));
		memcpy(ss, &sin, sizeof(sin));
		len = sizeof(sin);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	}
	if (fd < 0)
		return -errno;
	/* Restart at once despite the last run's connections in TIME_WAIT;
	 * on Linux this does not let two servers share a port. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    /* "[::]" and ":PORT" take IPv4 too, whatever net.ipv6.bindv6only says. */
	    (ss->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero))) ||
	    bind(fd, (struct sockaddr *)ss, len) || listen(fd, HTTP_BACKLOG)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static const char *bind__hint(int err)
{
	switch (err) {
	case -EADDRINUSE:
		return " (another program, or another gwtrace, listens there)";
	case -EADDRNOTAVAIL:
		return " (not an address of this host)";
	case -EACCES:
		return " (ports below 1024 need CAP_NET_BIND_SERVICE)";
	default:
		return "";
	}
}

/*
 * MHD's thread inherits the signal mask of the thread that starts it: with
 * the asynchronous signals blocked there, SIGINT and SIGTERM go to the
 * main thread (whose handler ends the poll loop), and a SIGPIPE the server
 * thread provokes stays pending instead of killing us. The synchronous
 * ones stay open: blocked, the kernel would kill us without the
 * sanitizers' report.
 */
static void signals__block(sigset_t *old)
{
	static const int sync_sigs[] = {
		SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS
	};
	sigset_t set;
	size_t i;

	sigfillset(&set);
	for (i = 0; i < sizeof(sync_sigs) / sizeof(sync_sigs[0]); i++)
		sigdelset(&set, sync_sigs[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static struct MHD_Daemon *http__daemon(struct http_srv *s, int fd, int family,
				       const struct http_limits *lim)
{
	unsigned int conns = lim && lim->conns ? lim->conns : HTTP_DEFAULT_CONNS;
	unsigned int per = lim && lim->per_client ? lim->per_client : HTTP_DEFAULT_PER_CLIENT;
	unsigned int idle = lim && lim->idle_s ? lim->idle_s : HTTP_DEFAULT_IDLE_S;
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;
	sigset_t old;

	/* MHD checks an IPv6 socket comes with this flag. */
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	signals__block(&old);
	errno = 0;
	d = MHD_start_daemon(flags, 0, NULL, NULL, http__handle, s, MHD_OPTION_EXTERNAL_LOGGER,
			     http__log, s, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
			     MHD_OPTION_CONNECTION_LIMIT, conns,
			     /* One client's connections beyond this are closed
			      * at accept: the others' scrapes still get in. */
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, per < conns ? per : conns,
			     MHD_OPTION_CONNECTION_TIMEOUT, idle, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return d;
}

static struct http_srv *http__fail(struct http_srv *s, int e, int *err)
{
	free(s);
	if (err)
		*err = e;
	return NULL;
}

struct http_srv *http__start(const char *listen, const struct http_limits *lim,
			     http_render_fn fn, void *ctx, int *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct http_srv *s;
	const char *why;
	int fd, e;

	why = listen__parse(listen, &ss, &len);
	if (why) {
		pr_err("invalid listen address '%s': %s", listen ?: "", why);
		return http__fail(NULL, -EINVAL, err);
	}
	s = calloc(1, sizeof(*s));
	if (!fn || !s)
		return http__fail(s, fn ? -ENOMEM : -EINVAL, err);
	s->fn = fn;
	s->ctx = ctx;
	atomic_init(&s->running, false);
	fd = http__bind(listen, &ss, len);
	if (fd < 0) {
		pr_err("cannot listen on %s: %s%s", listen, strerror(-fd), bind__hint(fd));
		return http__fail(s, fd, err);
	}
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len)) {
		e = -errno;
		close(fd);
		pr_err("cannot listen on %s: getsockname: %s", listen, strerror(-e));
		return http__fail(s, e, err);
	}
	s->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						: ((struct sockaddr_in6 *)&ss)->sin6_port);
	s->d = http__daemon(s, fd, ss.ss_family, lim);
	if (!s->d) {
		e = errno ? -errno : -EIO;
		/* MHD closes the socket on some of its failure paths, not all. */
		if (fcntl(fd, F_GETFD) >= 0)
			close(fd);
		pr_err("cannot start the HTTP server on %s: %s", listen, strerror(-e));
		return http__fail(s, e, err);
	}
	atomic_store(&s->running, true);
	return s;
}

unsigned short http__port(const struct http_srv *s)
{
	return s ? s->port : 0;
}

void http__stop(struct http_srv *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d); /* joins its thread and closes the socket */
	free(s);
}
