// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The HTTP side is libmicrohttpd's, not a parser of rtd's own: one
 * internal polling thread answers every connection, so scrapes never run
 * side by side and the one body buffer needs no lock.  The thread is
 * created after the main thread moved off the RT CPU, and inherits that.
 */
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/prom.h"
#include "log.h"
#include "metrics.h"

#define BODY_FIRST (64u << 10)
#define BODY_MAX (16u << 20) /* 64 queues of every family fit many times over */
#define CONN_MAX 16u         /* Prometheus keeps one; curl and people a few more */
#define CONN_TIMEOUT_S 10u

int metrics_open(struct metrics *m, const struct hostport *at)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (!at->family)
		return 0;
	hostport_str(at, m->where);
	len = hostport_sockaddr(at, &ss);
	m->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->fd < 0)
		goto err;
	/* A restart must not wait out TIME_WAIT; a live listener still refuses. */
	setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(m->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(m->fd, (struct sockaddr *)&ss, len) || listen(m->fd, 16))
		goto err;
	return 0;

err:
	err = -errno;
	log_err("metrics", "--metrics-listen %s: %s", m->where, strerror(errno));
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	return err;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *text,
			     const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								  MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The server's own families: the scrapes before this one. */
static void put_self(const struct metrics *m, struct obuf *o)
{
	prom_family(o, "rtd_metrics_scrapes_total", PROM_COUNTER, "Scrapes served before this one.");
	prom_u64(o, "rtd_metrics_scrapes_total", NULL, 0, m->scrapes);
	prom_family(o, "rtd_metrics_scrape_duration_seconds", PROM_SUMMARY,
		    "Time the scrapes before this one took to read and format.");
	prom_ns(o, "rtd_metrics_scrape_duration_seconds_sum", NULL, 0, m->scrape_ns);
	prom_u64(o, "rtd_metrics_scrape_duration_seconds_count", NULL, 0, m->scrapes);
	prom_family(o, "rtd_metrics_scrape_max_seconds", PROM_GAUGE,
		    "The longest scrape so far, reading and formatting.");
	prom_ns(o, "rtd_metrics_scrape_max_seconds", NULL, 0, m->scrape_ns_max);
	prom_family(o, "rtd_metrics_body_bytes", PROM_GAUGE, "Size of the previous scrape's body.");
	prom_u64(o, "rtd_metrics_body_bytes", NULL, 0, m->body_bytes);
}

/* The body, the buffer grown until it fits: its length, or -ENOSPC past BODY_MAX. */
static int collect(struct metrics *m)
{
	for (;;) {
		struct obuf o;
		size_t cap = m->cap ? 2 * m->cap : BODY_FIRST;
		char *nb;
		int len;

		if (m->buf) {
			obuf_init(&o, m->buf, m->cap);
			m->collect(m->ctx, &o);
			put_self(m, &o);
			len = obuf_finish(&o);
			if (len >= 0)
				return len;
		}
		if (cap > BODY_MAX || !(nb = realloc(m->buf, cap)))
			return -ENOSPC;
		m->buf = nb;
		m->cap = cap;
	}
}

static enum MHD_Result scrape(struct metrics *m, struct MHD_Connection *c)
{
	uint64_t t0 = clock_ns(), dt;
	struct MHD_Response *r;
	enum MHD_Result ret;
	int len = collect(m);

	if (len < 0) {
		log_warn("metrics", "a scrape's body would pass %u bytes: not served", BODY_MAX);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "body too large\n", NULL);
	}
	/* Copied: a slow reader must not hold the buffer the next scrape writes. */
	r = MHD_create_response_from_buffer(len, m->buf, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, PROM_CONTENT_TYPE);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	dt = clock_ns() - t0;
	m->scrapes++;
	m->scrape_ns += dt;
	if (dt > m->scrape_ns_max)
		m->scrape_ns_max = dt;
	m->body_bytes = (uint64_t)len;
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **req)
{
	struct metrics *m = cls;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)req;
	if (!m->named) {
		pthread_setname_np(pthread_self(), "rtd-metrics");
		m->named = true;
	}
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "not found: rtd serves /metrics only\n", NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: GET or HEAD\n",
			     "GET, HEAD");
	return scrape(m, c);
}

int metrics_start(struct metrics *m, metrics_collect_fn *fn, void *ctx)
{
	if (m->fd < 0)
		return 0;
	m->collect = fn;
	m->ctx = ctx;
	m->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, m,
				MHD_OPTION_LISTEN_SOCKET, m->fd, MHD_OPTION_CONNECTION_LIMIT, CONN_MAX,
				MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S, MHD_OPTION_END);
	if (!m->d) {
		log_err("metrics", "%s: cannot start the HTTP server (libmicrohttpd)", m->where);
		return -EIO;
	}
	log_info("metrics", "serving http://%s/metrics", m->where);
	return 0;
}

void metrics_close(struct metrics *m)
{
	/* MHD closes the listening socket it was given. */
	if (m->d)
		MHD_stop_daemon(m->d);
	else if (m->fd >= 0)
		close(m->fd);
	m->d = NULL;
	m->fd = -1;
	free(m->buf);
	m->buf = NULL;
	m->cap = 0;
}
