// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /metrics over HTTP: a real server on a loopback port, asked by a plain
 * socket client, and the parsing of listen addresses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "http.h"

#define BODY "# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n"
#define GET_METRICS "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"

/* What the render function returns; calls counted on the server thread. */
struct source {
	const char *body; /* NULL: fail */
	size_t big;	  /* > 0: a body of that many 'x' instead */
	int calls;
};

static char *render(void *ctx, size_t *len)
{
	struct source *src = ctx;
	char *b;

	__atomic_add_fetch(&src->calls, 1, __ATOMIC_SEQ_CST);
	if (src->big) {
		b = malloc(src->big);
		if (b) {
			memset(b, 'x', src->big);
			*len = src->big;
		}
		return b;
	}
	if (!src->body)
		return NULL;
	*len = strlen(src->body);
	return strdup(src->body);
}

static int calls(struct source *src)
{
	return __atomic_load_n(&src->calls, __ATOMIC_SEQ_CST);
}

struct reply {
	char *raw; /* everything read, NUL-terminated */
	size_t len;
	int status;
	const char *body; /* in raw, after the headers */
	size_t body_len;
};

static int client_connect(int family, unsigned short port)
{
	struct sockaddr_storage ss = { 0 };
	struct timeval tv = { .tv_sec = 5 };
	socklen_t len;
	int fd;

	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	/* a server that never answers fails the test instead of hanging it */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, len), 0);
	return fd;
}

static void send_all(int fd, const char *req)
{
	size_t n = strlen(req);

	assert_int_equal(send(fd, req, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Complete when the headers and Content-Length bytes of body are in. */
static bool reply_complete(const struct reply *r)
{
	const char *end = strstr(r->raw, "\r\n\r\n"), *cl;

	if (!end)
		return false;
	cl = strcasestr(r->raw, "\r\nContent-Length:");
	return cl && cl < end && r->len - (size_t)(end + 4 - r->raw) >= strtoul(cl + 17, NULL, 10);
}

/*
 * Reads a response from fd: one (keep: the connection stays open, HEAD
 * excluded) or until the server closes. Parses the first.
 */
static void read_reply(int fd, struct reply *r, bool keep)
{
	size_t cap = 4096;
	ssize_t n;
	char *end;

	memset(r, 0, sizeof(*r));
	r->raw = malloc(cap);
	assert_non_null(r->raw);
	r->raw[0] = '\0';
	while (!(keep && reply_complete(r)) &&
	       (n = recv(fd, r->raw + r->len, cap - r->len - 1, 0)) != 0) {
		assert_true(n > 0); /* not timed out */
		r->len += (size_t)n;
		r->raw[r->len] = '\0';
		if (cap - r->len < 2) {
			cap *= 2;
			r->raw = realloc(r->raw, cap);
			assert_non_null(r->raw);
		}
	}
	assert_int_equal(sscanf(r->raw, "HTTP/1.1 %d ", &r->status), 1);
	end = strstr(r->raw, "\r\n\r\n");
	assert_non_null(end);
	r->body = end + 4;
	r->body_len = r->len - (size_t)(r->body - r->raw);
}

/* Sends req on a new connection, reads until the server closes. */
static void request(int family, unsigned short port, const char *req, struct reply *r)
{
	int fd = client_connect(family, port);

	send_all(fd, req);
	read_reply(fd, r, false);
	close(fd);
}

/* The value of header name in r (a static copy), or NULL. */
static const char *header(const struct reply *r, const char *name)
{
	static char val[256];
	const char *p = strstr(r->raw, "\r\n");
	size_t n = strlen(name);

	while (p && p + 2 < r->body) {
		p += 2;
		if (!strncasecmp(p, name, n) && p[n] == ':') {
			const char *v = p + n + 1 + strspn(p + n + 1, " ");

			snprintf(val, sizeof(val), "%.*s", (int)strcspn(v, "\r"), v);
			return val;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

static void reply_free(struct reply *r)
{
	free(r->raw);
	r->raw = NULL;
}

static struct http_srv *start(const char *listen, struct source *src)
{
	int err = 1;
	struct http_srv *s = http__start(listen, NULL, render, src, &err);

	assert_non_null(s);
	assert_int_equal(err, 1); /* untouched on success */
	assert_int_not_equal(http__port(s), 0);
	return s;
}

static void test_get_metrics(void **state)
{
	struct source src = { .body = BODY };
	struct http_srv *s = start("127.0.0.1:0", &src);
	struct reply r;
	char cl[32];

	(void)state;
	request(AF_INET, http__port(s), GET_METRICS, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
	snprintf(cl, sizeof(cl), "%zu", strlen(BODY));
	assert_string_equal(header(&r, "Content-Length"), cl);
	assert_int_equal(r.body_len, strlen(BODY));
	assert_string_equal(r.body, BODY);
	assert_int_equal(calls(&src), 1);
	reply_free(&r);
	/* a query string does not change the path */
	request(AF_INET, http__port(s),
		"GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, BODY);
	reply_free(&r);
	http__stop(s);
}

/*
 * Prometheus keeps its connection between scrapes: three requests on one,
 * the first two kept alive (a 404 too), the last one asking to close.
 */
static void test_keep_alive(void **state)
{
	struct source src = { .body = BODY };
	struct http_srv *s = start("127.0.0.1:0", &src);
	struct reply r;
	const char *p;
	int fd;

	(void)state;
	fd = client_connect(AF_INET, http__port(s));
	send_all(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(fd, &r, true);
	assert_int_equal(r.status, 200);
	assert_null(strcasestr(r.raw, "Connection: close"));
	assert_string_equal(r.body, BODY);
	reply_free(&r);
	send_all(fd, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
	read_reply(fd, &r, true);
	assert_int_equal(r.status, 404);
	assert_null(strcasestr(r.raw, "Connection: close"));
	reply_free(&r);
	/* pipelined: both answered, in order */
	send_all(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" GET_METRICS);
	read_reply(fd, &r, false);
	close(fd);
	assert_int_equal(r.status, 200);
	p = strstr(r.body, "HTTP/1.1 200");
	assert_non_null(p);
	assert_string_equal(strstr(p, "\r\n\r\n") + 4, BODY);
	assert_int_equal(calls(&src), 3);
	reply_free(&r);
	http__stop(s);
}

static void test_head(void **state)
{
	struct source src = { .body = BODY };
	struct http_srv *s = start("127.0.0.1:0", &src);
	struct reply r;
	char cl[32];

	(void)state;
	request(AF_INET, http__port(s),
		"HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
	snprintf(cl, sizeof(cl), "%zu", strlen(BODY));
	assert_string_equal(header(&r, "Content-Length"), cl);
	assert_int_equal(r.body_len, 0);
	reply_free(&r);
	http__stop(s);
}

static void test_index(void **state)
{
	struct source src = { .body = BODY };
	struct http_srv *s = start("127.0.0.1:0", &src);
	struct reply r;

	(void)state;
	request(AF_INET, http__port(s), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		&r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "/metrics"));
	assert_string_equal(header(&r, "Content-Type"), "text/plain; charset=utf-8");
	assert_int_equal(calls(&src), 0);
	reply_free(&r);
	http__stop(s);
}

static void test_not_found(void **state)
{
	static const char *const paths[] = { "/nope", "/metrics/", "/metricsx", "//metrics" };
	struct source src = { .body = BODY };
	struct http_srv *s = start("127.0.0.1:0", &src);
	char req[128];
	struct reply r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", paths[i]);
		request(AF_INET, http__port(s), req, &r);
		assert_int_equal(r.status, 404);
		reply_free(&r);
	}
	assert_int_equal(calls(&src), 0);
	http__stop(s);
}

static void test_method_not_allowed(void **state)
{
	struct source src = { .body = BODY };
	struct http_srv *s = start("127.0.0.1:0", &src);
	struct reply r;

	(void)state;
	request(AF_INET, http__port(s),
		"POST /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		"Content-Length: 5\r\n\r\nhello",
		&r);
	assert_int_equal(r.status, 405);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD");
	reply_free(&r);
	request(AF_INET, http__port(s), "DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		&r);
	assert_int_equal(r.status, 405);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD");
	reply_free(&r);
	assert_int_equal(calls(&src), 0);
	http__stop(s);
}

static void test_body_refused(void **state)
{
	struct source src = { .body = BODY };
	struct http_srv *s = start("127.0.0.1:0", &src);
	struct reply r;

	(void)state;
	request(AF_INET, http__port(s),
		"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody", &r);
	assert_int_equal(r.status, 413);
	reply_free(&r);
	request(AF_INET, http__port(s),
		"GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		"4\r\nbody\r\n0\r\n\r\n",
		&r);
	assert_int_equal(r.status, 413);
	reply_free(&r);
	/* an empty body is no body */
	request(AF_INET, http__port(s),
		"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
		"Connection: close\r\n\r\n",
		&r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_int_equal(calls(&src), 1);
	http__stop(s);
}

static void test_render_fails(void **state)
{
	struct source src = { .body = NULL };
	struct http_srv *s = start("127.0.0.1:0", &src);
	struct reply r;

	(void)state;
	request(AF_INET, http__port(s), GET_METRICS, &r);
	assert_int_equal(r.status, 500);
	assert_int_equal(calls(&src), 1);
	reply_free(&r);
	http__stop(s);
}

/*
 * A client that resets the connection while a large body is being sent:
 * the server's write fails with EPIPE or ECONNRESET and must not kill the
 * process with SIGPIPE (this test runs with SIGPIPE at its default).
 */
static void test_client_reset(void **state)
{
	struct source src = { .big = 8 << 20 };
	struct http_srv *s = start("127.0.0.1:0", &src);
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct reply r;
	char buf[1024];
	int fd, i;

	(void)state;
	for (i = 0; i < 3; i++) {
		fd = client_connect(AF_INET, http__port(s));
		send_all(fd, GET_METRICS);
		assert_true(recv(fd, buf, sizeof(buf), 0) > 0); /* it is sending */
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
		close(fd); /* RST */
	}
	usleep(200 * 1000);
	src.big = 0;
	src.body = BODY;
	request(AF_INET, http__port(s), GET_METRICS, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, BODY);
	reply_free(&r);
	http__stop(s);
}

/* The SigBlk mask of thread tid, from /proc. */
static unsigned long long sigblk(const char *tid)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%s/status", tid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigBlk: %llx", &mask) == 1)
			break;
	fclose(f);
	return mask;
}

#define SIGBIT(sig) (1ULL << ((sig)-1))

/*
 * Process signals go to the main thread, not the server's; SIGPIPE cannot
 * hit the server thread; crashes there still reach the sanitizers.
 */
static void test_thread_signals(void **state)
{
	struct source src = { .body = BODY };
	unsigned long long before, async = SIGBIT(SIGINT) | SIGBIT(SIGTERM) | SIGBIT(SIGPIPE);
	char self[16];
	struct http_srv *s;
	struct dirent *e;
	struct reply r;
	int others = 0;
	DIR *d;

	(void)state;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	before = sigblk(self);
	s = start("127.0.0.1:0", &src);
	assert_true(sigblk(self) == before); /* restored */
	/* Answered: the thread is in its loop (glibc starts a thread with
	 * everything blocked, then sets the mask it inherited). */
	request(AF_INET, http__port(s), GET_METRICS, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	d = opendir("/proc/self/task");
	assert_non_null(d);
	while ((e = readdir(d))) {
		unsigned long long m;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, self))
			continue;
		m = sigblk(e->d_name);
		assert_true((m & async) == async);
		assert_false(m & (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGABRT)));
		others++;
	}
	closedir(d);
	assert_true(others > 0);
	http__stop(s);
}

/* A TCP connection to 127.0.0.1:port from the loopback address src. */
static int connect_from(const char *src, unsigned short port)
{
	struct sockaddr_in from = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, src, &from.sin_addr), 1);
	to.sin_port = htons(port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	return fd;
}

/* One client holding idle connections gets at most per_client of them
 * (the rest are closed at once); another client's scrape still gets in.
 * Without the per-client limit the idle four fill the server and the
 * scrape waits for the idle timeout (30 s here): its read times out. */
static void test_per_client_limit(void **state)
{
	struct http_limits lim = { .conns = 4, .per_client = 2, .idle_s = 30 };
	struct source src = { .body = BODY };
	int fd[4], other, err = 0, closed = 0;
	struct http_srv *s;
	struct reply r;
	char c;

	(void)state;
	s = http__start("127.0.0.1:0", &lim, render, &src, &err);
	assert_non_null(s);
	for (int i = 0; i < 4; i++)
		fd[i] = connect_from("127.0.0.1", http__port(s));
	for (int i = 0; i < 4; i++) {
		struct timeval tv = { .tv_usec = 300000 };

		setsockopt(fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (recv(fd[i], &c, 1, 0) == 0)
			closed++;	/* closed by the server, not timed out */
	}
	assert_int_equal(closed, 2);
	other = connect_from("127.0.0.2", http__port(s));

	send_all(other, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	read_reply(other, &r, false);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	close(other);
	for (int i = 0; i < 4; i++)
		close(fd[i]);
	http__stop(s);
}

static void test_addr_in_use(void **state)
{
	struct source src = { .body = BODY };
	struct http_srv *s = start("127.0.0.1:0", &src);
	char listen[32];
	int err = 0;

	(void)state;
	snprintf(listen, sizeof(listen), "127.0.0.1:%u", http__port(s));
	assert_null(http__start(listen, NULL, render, &src, &err));
	assert_int_equal(err, -EADDRINUSE);
	http__stop(s);
	/* free again once stopped (SO_REUSEADDR: no wait for TIME_WAIT) */
	s = http__start(listen, NULL, render, &src, &err);
	assert_non_null(s);
	http__stop(s);
}

static void test_start_errors(void **state)
{
	struct source src = { .body = BODY };
	int err = 0;

	(void)state;
	assert_null(http__start("localhost:9464", NULL, render, &src, &err));
	assert_int_equal(err, -EINVAL);
	err = 0;
	assert_null(http__start(NULL, NULL, render, &src, &err));
	assert_int_equal(err, -EINVAL);
	err = 0;
	assert_null(http__start("127.0.0.1:0", NULL, NULL, &src, &err));
	assert_int_equal(err, -EINVAL);
	err = 0;
	/* TEST-NET-1 is nobody's address here */
	assert_null(http__start("192.0.2.1:0", NULL, render, &src, &err));
	assert_int_equal(err, -EADDRNOTAVAIL);
	assert_null(http__start("1.2.3.4:", NULL, render, &src, NULL)); /* err is optional */
	http__stop(NULL);
	assert_int_equal(http__port(NULL), 0);
}

/* "[::1]:0" when the host has IPv6 loopback, and ":0" from both families. */
static void test_ipv6(void **state)
{
	struct source src = { .body = BODY };
	struct http_srv *s;
	struct reply r;
	int err = 0;

	(void)state;
	s = http__start("[::1]:0", NULL, render, &src, &err);
	if (!s && (err == -EADDRNOTAVAIL || err == -EAFNOSUPPORT)) {
		print_message("skip: no IPv6 loopback here (%s)\n", strerror(-err));
		skip();
	}
	assert_non_null(s);
	request(AF_INET6, http__port(s), GET_METRICS, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, BODY);
	reply_free(&r);
	http__stop(s);

	s = start(":0", &src);
	request(AF_INET6, http__port(s), GET_METRICS, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	request(AF_INET, http__port(s), GET_METRICS, &r); /* dual stack */
	assert_int_equal(r.status, 200);
	reply_free(&r);
	http__stop(s);
}

static void test_parse_listen_ok(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = 0;

	(void)state;
	assert_int_equal(http__parse_listen("127.0.0.1:9464", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(*sin));
	assert_int_equal(ntohs(sin->sin_port), 9464);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);

	assert_int_equal(http__parse_listen("[::1]:1", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(*sin6));
	assert_int_equal(ntohs(sin6->sin6_port), 1);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));

	/* ":PORT" is the IPv6 wildcard, which takes IPv4 too */
	assert_int_equal(http__parse_listen(":9464", &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr));
	assert_int_equal(ntohs(sin6->sin6_port), 9464);

	assert_int_equal(http__parse_listen("0.0.0.0:65535", &ss, &len), 0);
	assert_int_equal(ntohs(sin->sin_port), 65535);
	assert_int_equal(http__parse_listen("[::ffff:10.0.0.1]:0", NULL, NULL), 0);
	assert_int_equal(http__parse_listen("[fe80::1%lo]:80", &ss, &len), 0);
	assert_int_not_equal(sin6->sin6_scope_id, 0);
	assert_int_equal(http__parse_listen(":0", NULL, NULL), 0);
	assert_null(http__listen_problem("10.1.2.3:080"));
}

static void test_parse_listen_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"1.2.3.4",
		"1.2.3.4:",
		"1.2.3.4:70000",
		"1.2.3.4:65536",
		"1.2.3.4:-1",
		"1.2.3.4:80x",
		"1.2.3.4:+80",
		"1.2.3.4: 80",
		"1.2.3.4:000000",
		"host:80",
		"localhost:9464",
		"gw.example.com:80",
		"[::1]9",
		"[::1]",
		"[::1:80",
		"::1:80",
		"[1.2.3.4]:80",
		"[::1%nosuchif0]:80",
		"127.1:80",
		"1.2.3.256:80",
		"[]:80",
		":",
		"9464",
		"[::1]:",
	};
	struct sockaddr_storage ss;
	socklen_t len = 77;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (http__parse_listen(bad[i], &ss, &len) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
		assert_non_null(http__listen_problem(bad[i]));
	}
	assert_int_equal(len, 77); /* untouched */
	assert_int_equal(http__parse_listen(NULL, NULL, NULL), -EINVAL);
	/* the message says why */
	assert_non_null(strstr(http__listen_problem("host:80"), "names are not resolved"));
	assert_non_null(strstr(http__listen_problem("localhost"), "names are not resolved"));
	assert_non_null(strstr(http__listen_problem("::1:80"), "brackets"));
	assert_non_null(strstr(http__listen_problem("1.2.3.4:70000"), "0..65535"));
	assert_non_null(strstr(http__listen_problem("1.2.3.4"), ":PORT"));
	assert_non_null(strstr(http__listen_problem("[::1]9"), ":PORT"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_metrics),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_body_refused),
		cmocka_unit_test(test_render_fails),
		cmocka_unit_test(test_client_reset),
		cmocka_unit_test(test_thread_signals),
		cmocka_unit_test(test_per_client_limit),
		cmocka_unit_test(test_addr_in_use),
		cmocka_unit_test(test_start_errors),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_parse_listen_ok),
		cmocka_unit_test(test_parse_listen_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
