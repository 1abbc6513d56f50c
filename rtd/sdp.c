// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtd/sdp.h"

struct line {
	const char *p;
	size_t len;     /* without the line ending */
	size_t next;    /* offset of the following line */
};

static bool next_line(const char *buf, size_t len, size_t pos, struct line *l)
{
	const char *nl;

	if (pos >= len)
		return false;
	l->p = buf + pos;
	nl = memchr(l->p, '\n', len - pos);
	l->len = nl ? (size_t)(nl - l->p) : len - pos;
	l->next = nl ? (size_t)(nl - buf) + 1 : len;
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	return true;
}

static bool starts(const struct line *l, const char *pfx)
{
	size_t n = strlen(pfx);

	return l->len >= n && !memcmp(l->p, pfx, n);
}

/* "IN IP4 1.2.3.4[/ttl]" from s, n bytes. */
static int parse_conn(const char *s, size_t n, int *family, struct in6_addr *a)
{
	char tmp[80], *addr, *slash;

	if (n >= sizeof(tmp))
		return -EBADMSG;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	if (!strncmp(tmp, "IN IP4 ", 7)) {
		struct in_addr v4;

		addr = tmp + 7;
		slash = strchr(addr, '/');
		if (slash)
			*slash = 0;
		if (inet_pton(AF_INET, addr, &v4) != 1)
			return -EBADMSG;
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], &v4, 4);
		*family = AF_INET;
		return 0;
	}
	if (!strncmp(tmp, "IN IP6 ", 7)) {
		addr = tmp + 7;
		slash = strchr(addr, '/');
		if (slash)
			*slash = 0;
		if (inet_pton(AF_INET6, addr, a) != 1)
			return -EBADMSG;
		*family = AF_INET6;
		return 0;
	}
	return -EBADMSG;
}

static int fail(char *err, size_t errlen, unsigned lineno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, unsigned lineno, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "sdp: line %u: ", lineno);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int parse_m(const struct line *l, struct sdp_media *m)
{
	char tmp[256], *sp, *end;
	unsigned long port;

	if (l->len >= sizeof(tmp) || l->len < 3)
		return -EBADMSG;
	memcpy(tmp, l->p + 2, l->len - 2);
	tmp[l->len - 2] = 0;
	sp = strchr(tmp, ' ');
	if (!sp || sp == tmp || (size_t)(sp - tmp) >= sizeof(m->type))
		return -EBADMSG;
	memcpy(m->type, tmp, sp - tmp);
	m->type[sp - tmp] = 0;
	port = strtoul(sp + 1, &end, 10);
	if (end == sp + 1 || port > 65535 || (*end != ' ' && *end != '/'))
		return -EBADMSG;
	m->port = port;
	if (*end == '/')
		strtoul(end + 1, &end, 10);
	if (*end != ' ')
		return -EBADMSG;
	sp = end + 1;
	end = strchr(sp, ' ');
	if (!end || end == sp || (size_t)(end - sp) >= sizeof(m->proto))
		return -EBADMSG;
	memcpy(m->proto, sp, end - sp);
	m->proto[end - sp] = 0;
	return 0;
}

int sdp_parse(const char *buf, size_t len, struct sdp_session *s, char *err, size_t errlen)
{
	struct sdp_media *m = NULL;
	unsigned lineno = 0;
	struct line l;
	size_t pos = 0;

	memset(s, 0, sizeof(*s));
	s->crlf = len > 0 && memchr(buf, '\r', len) != NULL;
	while (next_line(buf, len, pos, &l)) {
		pos = l.next;
		lineno++;
		if (!l.len)
			continue;
		if (l.len < 2 || l.p[1] != '=')
			return fail(err, errlen, lineno, "not 'x=value'");
		if (lineno == 1 && !starts(&l, "v="))
			return fail(err, errlen, lineno, "an SDP body starts with v=");
		if (starts(&l, "m=")) {
			if (s->nmedia == SDP_MAX_MEDIA)
				return fail(err, errlen, lineno, "more than %d media", SDP_MAX_MEDIA);
			m = &s->media[s->nmedia++];
			if (parse_m(&l, m))
				return fail(err, errlen, lineno, "m= needs 'media port proto fmt...'");
			m->rtcp_port = m->port + 1;
		} else if (starts(&l, "c=")) {
			int fam;
			struct in6_addr a;

			if (parse_conn(l.p + 2, l.len - 2, &fam, &a))
				return fail(err, errlen, lineno, "c= needs 'IN IP4|IP6 address'");
			if (m) {
				m->has_c = true;
				m->c_family = fam;
				m->c_addr = a;
			} else {
				s->has_c = true;
				s->c_family = fam;
				s->c_addr = a;
			}
		} else if (m && starts(&l, "a=rtcp:")) {
			unsigned long p = strtoul(l.p + 7, NULL, 10);

			if (!p || p > 65535)
				return fail(err, errlen, lineno, "a=rtcp: needs a port");
			m->has_rtcp = true;
			m->rtcp_port = p;
		} else if (m && starts(&l, "a=rtcp-mux")) {
			m->rtcp_mux = true;
		} else if (m && starts(&l, "a=candidate:")) {
			m->ice = true;
		} else if (m && (starts(&l, "a=sendonly") || starts(&l, "a=recvonly") ||
				 starts(&l, "a=inactive") || starts(&l, "a=sendrecv"))) {
			m->dir = l.p[2] == 's' ? (l.p[6] == 'o' ? SDP_SENDONLY : SDP_SENDRECV)
					       : l.p[2] == 'r' ? SDP_RECVONLY : SDP_INACTIVE;
		}
	}
	if (!lineno)
		return fail(err, errlen, 1, "empty body");
	for (unsigned i = 0; i < s->nmedia; i++)
		if (!s->media[i].has_c && !s->has_c)
			return fail(err, errlen, lineno, "media %u has no c= line", i + 1);
	return 0;
}

int sdp_media_addr(const struct sdp_session *s, unsigned i, int *family, struct in6_addr *a)
{
	if (i >= s->nmedia)
		return -ENOENT;
	if (s->media[i].has_c) {
		*family = s->media[i].c_family;
		*a = s->media[i].c_addr;
	} else {
		*family = s->c_family;
		*a = s->c_addr;
	}
	return 0;
}

struct out {
	char *buf;
	size_t len, pos;
	bool overflow;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->overflow || n > o->len - o->pos) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->pos, p, n);
	o->pos += n;
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct out *o, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		o->overflow = true;
		return;
	}
	put(o, tmp, n);
}

static bool is_ice_line(const struct line *l)
{
	static const char *const ice[] = { "a=candidate:", "a=ice-ufrag:", "a=ice-pwd:",
					   "a=ice-options:", "a=end-of-candidates",
					   "a=remote-candidates:", "a=ice-lite" };

	for (size_t i = 0; i < sizeof(ice) / sizeof(ice[0]); i++)
		if (starts(l, ice[i]))
			return true;
	return false;
}

/* Rejected streams (port 0) and rtcp-mux streams have no RTCP port. */
static bool add_rtcp(const struct sdp_session *s, const struct sdp_rewrite *rw, int mi)
{
	const struct sdp_media *m;

	if (mi < 0)
		return false;
	m = &s->media[mi];
	return !m->has_rtcp && !m->rtcp_mux && m->port && rw->port[mi];
}

int sdp_rewrite(const char *in, size_t inlen, const struct sdp_session *s,
		const struct sdp_rewrite *rw, char *out, size_t outlen)
{
	struct out o = { .buf = out, .len = outlen };
	const char *eol = s->crlf ? "\r\n" : "\n";
	char addr[INET6_ADDRSTRLEN];
	const char *ip = rw->family == AF_INET ? "IP4" : "IP6";
	int mi = -1;
	struct line l;
	size_t pos = 0;

	inet_ntop(rw->family, rw->family == AF_INET ? (const void *)&rw->addr.s6_addr[12]
						    : (const void *)&rw->addr,
		  addr, sizeof(addr));
	while (next_line(in, inlen, pos, &l)) {
		pos = l.next;
		if (starts(&l, "m=")) {
			/* Close the previous section: add its a=rtcp if it had none. */
			if (mi >= 0 && add_rtcp(s, rw, mi))
				putf(&o, "a=rtcp:%u%s", rw->port[mi] + 1, eol);
			mi++;
		}
		if (starts(&l, "o=")) {
			/* o=<user> <id> <version> IN IP4 <addr>: keep the first three. */
			const char *p = l.p;
			int spaces = 0;

			while (p < l.p + l.len && spaces < 3)
				if (*p++ == ' ')
					spaces++;
			put(&o, l.p, p - l.p);
			putf(&o, "IN %s %s%s", ip, addr, eol);
		} else if (starts(&l, "c=")) {
			putf(&o, "c=IN %s %s%s", ip, addr, eol);
		} else if (starts(&l, "m=") && mi < SDP_MAX_MEDIA) {
			const struct sdp_media *m = &s->media[mi];
			const char *rest = memchr(l.p + 2, ' ', l.len - 2);

			/* Skip the port (and any /count), keep proto and formats. */
			rest = rest ? memchr(rest + 1, ' ', l.p + l.len - rest - 1) : NULL;
			putf(&o, "m=%s %u", m->type, m->port ? rw->port[mi] : 0);
			if (rest)
				put(&o, rest, l.p + l.len - rest);
			put(&o, eol, strlen(eol));
		} else if (mi >= 0 && starts(&l, "a=rtcp:") && !starts(&l, "a=rtcp-")) {
			const char *has_addr = memchr(l.p, ' ', l.len);

			if (has_addr)
				putf(&o, "a=rtcp:%u IN %s %s%s", rw->port[mi] + 1, ip, addr, eol);
			else
				putf(&o, "a=rtcp:%u%s", rw->port[mi] + 1, eol);
		} else if (rw->remove_ice && is_ice_line(&l)) {
			continue;
		} else {
			put(&o, l.p, l.next - (size_t)(l.p - in));
		}
	}
	if (mi >= 0 && add_rtcp(s, rw, mi)) {
		if (pos && in[pos - 1] != '\n')
			put(&o, eol, strlen(eol));
		putf(&o, "a=rtcp:%u%s", rw->port[mi] + 1, eol);
	}
	return o.overflow ? -ENOSPC : (int)o.pos;
}
