// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "apps/relay/sdp.h"
#include "apps/relay/sdp_text.h"

/* Digits only (strtoul would take signs, spaces and read past the line). */
static int parse_port(const char *p, size_t n, uint16_t *out)
{
	unsigned v = 0;

	if (!n || n > 5)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EBADMSG;
		v = v * 10 + (p[i] - '0');
	}
	if (v > 65535)
		return -EBADMSG;
	*out = v;
	return 0;
}

/* addrtype "IP4"/"IP6" and an address literal, "/ttl" and "/count" cut. */
static int parse_addr(const struct word *type, const struct word *addr, bool cut_slash,
		      int *family, struct in6_addr *a)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	size_t n = addr->n;
	const char *slash;

	if (cut_slash && (slash = memchr(addr->p, '/', n)))
		n = slash - addr->p;
	if (!n || n >= sizeof(tmp) || memchr(addr->p, 0, n))
		return -EBADMSG;
	memcpy(tmp, addr->p, n);
	tmp[n] = 0;
	if (sdp_word_is(type, "IP4")) {
		struct in_addr v4;

		if (inet_pton(AF_INET, tmp, &v4) != 1)
			return -EBADMSG;
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], &v4, 4);
		*family = AF_INET;
		return 0;
	}
	if (sdp_word_is(type, "IP6")) {
		if (inet_pton(AF_INET6, tmp, a) != 1)
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
	int n;

	if (!err || !errlen)
		return -EBADMSG;
	n = snprintf(err, errlen, "sdp: line %u: ", lineno);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

#define FAIL(...) fail(err, errlen, lineno, __VA_ARGS__)

/* m=<media> <port>[/<count>] <proto> <fmt> ... */
static int parse_m(const char *buf, const struct line *l, struct sdp_media *m, char *err,
		   size_t errlen, unsigned lineno)
{
	struct word w[4];
	unsigned n = sdp_split(l->p + 2, l->len - 2, w, 4);
	const char *slash, *fend;
	size_t plen;

	if (n < 1)
		return FAIL("m= without media type");
	if (n < 2)
		return FAIL("m= without port");
	if (w[0].n >= sizeof(m->type))
		return FAIL("m= media type longer than %zu bytes", sizeof(m->type) - 1);
	memcpy(m->type, w[0].p, w[0].n);
	slash = memchr(w[1].p, '/', w[1].n);
	plen = slash ? (size_t)(slash - w[1].p) : w[1].n;
	if (parse_port(w[1].p, plen, &m->port))
		return FAIL("m= port '%.*s' is not 0-65535", (int)plen, w[1].p);
	m->nports = 1;
	if (slash) {
		uint16_t count;

		if (parse_port(slash + 1, w[1].n - plen - 1, &count) || !count)
			return FAIL("m= port count '%.*s' is not 1-65535",
				    (int)(w[1].n - plen - 1), slash + 1);
		m->nports = count;
	}
	if (n < 3)
		return FAIL("m= without protocol");
	if (w[2].n >= sizeof(m->proto))
		return FAIL("m= protocol longer than %zu bytes", sizeof(m->proto) - 1);
	memcpy(m->proto, w[2].p, w[2].n);
	if (n < 4)
		return FAIL("m= without formats");
	fend = l->p + l->len;
	while (fend[-1] == ' ')
		fend--;
	m->fmt.off = w[3].p - buf;
	m->fmt.len = fend - w[3].p;
	return 0;
}

/* o=<user> <sess-id> <sess-version> IN <addrtype> <address>.  A host name
 * is allowed (RFC 8866 5.2); the relay replaces it anyway. */
static int parse_o(const struct line *l, struct sdp_session *s, char *err, size_t errlen,
		   unsigned lineno)
{
	struct word w[6];
	int fam;

	if (sdp_split(l->p + 2, l->len - 2, w, 6) != 6)
		return FAIL("o= needs 'user id version IN IP4|IP6 address'");
	if (!sdp_word_is(&w[3], "IN"))
		return FAIL("o= network type '%.*s' is not IN", (int)w[3].n, w[3].p);
	if (!sdp_word_is(&w[4], "IP4") && !sdp_word_is(&w[4], "IP6"))
		return FAIL("o= address type '%.*s' is not IP4 or IP6", (int)w[4].n, w[4].p);
	s->has_o = true;
	s->o_family = sdp_word_is(&w[4], "IP4") ? AF_INET : AF_INET6;
	s->o_literal = !parse_addr(&w[4], &w[5], false, &fam, &s->o_addr);
	if (!s->o_literal)
		memset(&s->o_addr, 0, sizeof(s->o_addr));
	return 0;
}

/* c=IN <addrtype> <address>[/ttl][/count]: a literal, since the relay has
 * to send to it. */
static int parse_c(const struct line *l, int *family, struct in6_addr *a, char *err,
		   size_t errlen, unsigned lineno)
{
	struct word w[3];

	if (sdp_split(l->p + 2, l->len - 2, w, 3) != 3 || !sdp_word_is(&w[0], "IN"))
		return FAIL("c= needs 'IN IP4|IP6 address'");
	if (!sdp_word_is(&w[1], "IP4") && !sdp_word_is(&w[1], "IP6"))
		return FAIL("c= address type '%.*s' is not IP4 or IP6", (int)w[1].n, w[1].p);
	if (parse_addr(&w[1], &w[2], true, family, a))
		return FAIL("c= address '%.*s' is not an %s literal", (int)w[2].n, w[2].p,
			    sdp_word_is(&w[1], "IP4") ? "IPv4" : "IPv6");
	return 0;
}

/* a=rtcp:<port> [IN <addrtype> <address>] (RFC 3605) */
static int parse_rtcp(const char *v, size_t vn, struct sdp_media *m, char *err, size_t errlen,
		      unsigned lineno)
{
	struct word w[4];
	unsigned n = sdp_split(v, vn, w, 4);

	if (n < 1 || parse_port(w[0].p, w[0].n, &m->rtcp_port) || !m->rtcp_port)
		return FAIL("a=rtcp: needs a port 1-65535");
	if (n != 1 && n != 4)
		return FAIL("a=rtcp: needs 'port [IN IP4|IP6 address]'");
	if (n == 4) {
		if (!sdp_word_is(&w[1], "IN") ||
		    parse_addr(&w[2], &w[3], false, &m->rtcp_family, &m->rtcp_addr))
			return FAIL("a=rtcp: address needs 'IN IP4|IP6 literal'");
		m->rtcp_has_addr = true;
	}
	m->has_rtcp = true;
	return 0;
}

/* Direction attribute name to enum sdp_dir, or -1. */
static int dir_of(const char *name, size_t n)
{
	static const char *const names[] = {
		[SDP_SENDRECV] = "sendrecv", [SDP_SENDONLY] = "sendonly",
		[SDP_RECVONLY] = "recvonly", [SDP_INACTIVE] = "inactive",
	};

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (sdp_mem_is(name, n, names[i]))
			return i;
	return -1;
}

/* An attribute's value (an ICE credential, a fingerprint...) into a span. */
static void ice_cred(const char *buf, const char *v, size_t vn, struct sdp_span *at)
{
	at->off = v - buf;
	at->len = vn;
}

static int parse_a(const char *buf, const struct line *l, struct sdp_session *s,
		   struct sdp_media *m, char *err, size_t errlen, unsigned lineno)
{
	const char *name = l->p + 2, *colon = memchr(name, ':', l->len - 2);
	size_t nn = colon ? (size_t)(colon - name) : l->len - 2;
	const char *v = colon ? colon + 1 : name + nn;
	size_t vn = l->p + l->len - v;
	int dir = dir_of(name, nn);

	if (dir >= 0) {
		if (m) {
			m->dir = dir;
			m->has_dir = true;
		} else {
			s->dir = dir;
			s->has_dir = true;
		}
		return 0;
	}
	if (sdp_mem_is(name, nn, "ice-ufrag") && colon) {
		ice_cred(buf, v, vn, m ? &m->ice_ufrag : &s->ice_ufrag);
		if (m)
			m->ice = true;
		return 0;
	}
	if (sdp_mem_is(name, nn, "ice-pwd") && colon) {
		ice_cred(buf, v, vn, m ? &m->ice_pwd : &s->ice_pwd);
		return 0;
	}
	/* The first of several fingerprints (RFC 8122 allows more): rtd
	 * verifies one, and an endpoint lists its preferred hash first. */
	if (sdp_mem_is(name, nn, "fingerprint") && colon) {
		struct sdp_span *f = m ? &m->fingerprint : &s->fingerprint;

		if (!f->len)
			ice_cred(buf, v, vn, f);
		return 0;
	}
	if (sdp_mem_is(name, nn, "setup") && colon) {
		ice_cred(buf, v, vn, m ? &m->setup : &s->setup);
		return 0;
	}
	if (!m)
		return 0; /* the rest matter per media only */
	if (sdp_mem_is(name, nn, "mid") && colon) {
		ice_cred(buf, v, vn, &m->mid);
		return 0;
	}
	if (sdp_mem_is(name, nn, "crypto") && colon) {
		if (m->ncrypto == SDP_MAX_CRYPTO)
			return FAIL("more than %d a=crypto lines in one media section", SDP_MAX_CRYPTO);
		ice_cred(buf, v, vn, &m->crypto[m->ncrypto++]);
		return 0;
	}
	if (sdp_mem_is(name, nn, "rtcp") && colon)
		return parse_rtcp(v, vn, m, err, errlen, lineno);
	if (sdp_mem_is(name, nn, "rtcp-mux") || sdp_mem_is(name, nn, "rtcp-mux-only"))
		m->rtcp_mux = true;
	else if (sdp_mem_is(name, nn, "candidate"))
		m->ice = true;
	return 0;
}

/* One x=value line after v=; *m is the media section it is in, or NULL. */
static int parse_line(const char *buf, const struct line *l, struct sdp_session *s,
		      struct sdp_media **m, char *err, size_t errlen, unsigned lineno)
{
	int ret;

	switch (l->p[0]) {
	case 'm':
		if (s->nmedia == SDP_MAX_MEDIA)
			return FAIL("more than %d media", SDP_MAX_MEDIA);
		*m = &s->media[s->nmedia++];
		(*m)->line = lineno;
		ret = parse_m(buf, l, *m, err, errlen, lineno);
		(*m)->rtcp_port = (*m)->port + 1;
		(*m)->dir = s->dir;
		return ret;
	case 'o':
		if (*m)
			return FAIL("o= inside a media section");
		if (s->has_o)
			return FAIL("second o=");
		return parse_o(l, s, err, errlen, lineno);
	case 'c':
		if (*m) {
			(*m)->has_c = true;
			return parse_c(l, &(*m)->c_family, &(*m)->c_addr, err, errlen, lineno);
		}
		s->has_c = true;
		return parse_c(l, &s->c_family, &s->c_addr, err, errlen, lineno);
	case 'a':
		return parse_a(buf, l, s, *m, err, errlen, lineno);
	}
	return 0;
}

/* After the last line: what the body as a whole must have. */
static int check_media(struct sdp_session *s, char *err, size_t errlen)
{
	for (unsigned i = 0; i < s->nmedia; i++) {
		struct sdp_media *m = &s->media[i];

		if (!m->has_c && !s->has_c)
			return fail(err, errlen, m->line, "m= has no c=, nor has the session");
		/* An a=rtcp on a port-0 stream names nothing to send to. */
		if (!m->has_rtcp)
			m->rtcp_port = m->port ? m->port + 1 : 0;
		/* Session-level credentials are every media's (RFC 8839 5.4). */
		if (!m->ice_ufrag.len && s->ice_ufrag.len) {
			m->ice_ufrag = s->ice_ufrag;
			m->ice = true;
		}
		if (!m->ice_pwd.len)
			m->ice_pwd = s->ice_pwd;
		if (!m->fingerprint.len)
			m->fingerprint = s->fingerprint;
		if (!m->setup.len)
			m->setup = s->setup;
		m->has_dir |= s->has_dir;
	}
	return 0;
}

int sdp_parse(const char *buf, size_t len, struct sdp_session *s, char *err, size_t errlen)
{
	struct sdp_media *m = NULL;
	unsigned lineno = 0;
	bool seen_v = false;
	struct line l;
	size_t pos = 0;
	int ret;

	memset(s, 0, sizeof(*s));
	if (err && errlen)
		err[0] = 0;
	/* Spans are 32-bit. */
	if (len > UINT32_MAX)
		return fail(err, errlen, 0, "body larger than 4 GiB");
	while (sdp_next_line(buf, len, pos, &l)) {
		if (!lineno)
			s->crlf = l.p + l.len < buf + l.next && l.p[l.len] == '\r';
		pos = l.next;
		lineno++;
		/* Tolerated: a blank line, as after a body's final CRLF. */
		if (!l.len)
			continue;
		if (l.len < 2 || l.p[1] != '=' || l.p[0] < 'a' || l.p[0] > 'z')
			return FAIL("not 'x=value'");
		if (!seen_v) {
			if (l.p[0] != 'v')
				return FAIL("an SDP body starts with v=");
			seen_v = true;
			continue;
		}
		ret = parse_line(buf, &l, s, &m, err, errlen, lineno);
		if (ret)
			return ret;
	}
	if (!seen_v)
		return fail(err, errlen, lineno ? lineno : 1, "empty body");
	return check_media(s, err, errlen);
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
