// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The relay's SDP: the body a leg sent, with the relay's address and ports
 * in place of the leg's, and the attributes rtd answers for itself (RTCP,
 * rtcp-mux, ICE) written by rtd; every other line byte for byte.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "apps/relay/sdp.h"
#include "apps/relay/sdp_text.h"
#include "lib/obuf.h"

static void put_port(struct obuf *o, unsigned port)
{
	obuf_printf(o, "%u", port);
}

static bool is_ice_attr(const struct line *l)
{
	static const char *const ice[] = {
		"candidate", "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "ice-mismatch",
		"ice-pacing", "remote-candidates", "end-of-candidates",
	};
	const char *name = l->p + 2, *colon;
	size_t nn;

	if (l->len < 2 || memcmp(l->p, "a=", 2))
		return false;
	colon = memchr(name, ':', l->len - 2);
	nn = colon ? (size_t)(colon - name) : l->len - 2;
	for (size_t i = 0; i < sizeof(ice) / sizeof(ice[0]); i++)
		if (sdp_mem_is(name, nn, ice[i]))
			return true;
	return false;
}

/* The lines of media security that rtd writes itself where it terminates it. */
static bool is_sec_attr(const struct line *l, bool session)
{
	return (!session && l->len >= 9 && !memcmp(l->p, "a=crypto:", 9)) ||
	       (l->len >= 14 && !memcmp(l->p, "a=fingerprint:", 14)) ||
	       (l->len >= 8 && !memcmp(l->p, "a=setup:", 8));
}

static bool any_sec(const struct sdp_rewrite *rw)
{
	for (unsigned i = 0; i < SDP_MAX_MEDIA; i++)
		if (rw->sec[i])
			return true;
	return false;
}

static bool is_rtcp_attr(const struct line *l)
{
	return l->len >= 7 && !memcmp(l->p, "a=rtcp:", 7);
}

struct rewriter {
	const struct sdp_session *s;
	const struct sdp_rewrite *rw;
	struct obuf o;
	const char *eol; /* for added lines */
	char ip[4];      /* "IP4" / "IP6" */
	char addr[INET6_ADDRSTRLEN];
};

static unsigned rtp_port(const struct rewriter *r, unsigned mi)
{
	return r->s->media[mi].port ? r->rw->port[mi] : 0;
}

static unsigned rtcp_port(const struct rewriter *r, unsigned mi)
{
	return r->rw->rtcp_port[mi] ? r->rw->rtcp_port[mi] : rtp_port(r, mi) + 1u;
}

/* An added line starts on a line of its own, after a last line that had
 * no ending, or half of one (a lone CR would otherwise turn into "\r\r\n"). */
static void line_start(struct rewriter *r)
{
	if (r->o.pos && !r->o.overflow && r->o.buf[r->o.pos - 1] != '\n')
		obuf_puts(&r->o, r->o.buf[r->o.pos - 1] == '\r' ? "\n" : r->eol);
}

static void put_relay_addr(struct rewriter *r);

static void put_ip(struct obuf *o, int family, const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN] = "";

	inet_ntop(family, family == AF_INET ? (const void *)&a->s6_addr[12] : (const void *)a, buf,
		  sizeof(buf));
	obuf_puts(o, buf);
}

/*
 * rtd's ICE (RFC 8839): its credentials and one host candidate per address
 * and component.  The priority is RFC 8445's for a host candidate with
 * local preference 65535; the foundation is the same for every candidate
 * of an address, as their only difference is the component.
 */
static void put_ice(struct rewriter *r, const struct sdp_ice *ice)
{
	obuf_printf(&r->o, "a=ice-ufrag:%s%s", ice->ufrag, r->eol);
	obuf_printf(&r->o, "a=ice-pwd:%s%s", ice->pwd, r->eol);
	for (unsigned i = 0; i < ice->ncand && i < 4; i++) {
		const struct sdp_cand *c = &ice->cand[i];
		unsigned long prio = (126ul << 24) | (65535ul << 8) | (256u - c->component);
		uint32_t f = 2166136261u; /* FNV-1a of the address: a stable foundation */

		for (int k = 0; k < 16; k++)
			f = (f ^ c->addr.s6_addr[k]) * 16777619u;
		obuf_printf(&r->o, "a=candidate:%08x %u UDP %lu ", f, c->component, prio);
		put_ip(&r->o, c->family, &c->addr);
		obuf_printf(&r->o, " %u typ host%s", c->port, r->eol);
	}
	obuf_printf(&r->o, "a=end-of-candidates%s", r->eol);
}

/* The attributes rtd answers for, at the end of the media section. */
static int own_attrs(struct rewriter *r, int mi)
{
	if (!rtp_port(r, mi))
		return 0;
	if (rtcp_port(r, mi) > 65535)
		return -EINVAL;
	line_start(r);
	if (!r->rw->no_rtcp) {
		obuf_puts(&r->o, "a=rtcp:");
		put_port(&r->o, rtcp_port(r, mi));
		if (r->rw->rtcp_full) {
			obuf_puts(&r->o, " ");
			put_relay_addr(r);
		}
		obuf_puts(&r->o, r->eol);
	}
	if (r->rw->mux[mi])
		obuf_printf(&r->o, "a=rtcp-mux%s", r->eol);
	if (r->rw->ice[mi])
		put_ice(r, r->rw->ice[mi]);
	return 0;
}

/* rtd's a=crypto, a=fingerprint and a=setup for a section it secures. */
static void put_sec(struct rewriter *r, int mi)
{
	const struct sdp_sec *sec = r->rw->sec[mi];

	if (!sec || !rtp_port(r, mi))
		return;
	line_start(r);
	for (unsigned i = 0; i < sec->ncrypto && i < SDP_MAX_CRYPTO; i++)
		obuf_printf(&r->o, "a=crypto:%s%s", sec->crypto[i], r->eol);
	if (sec->fingerprint)
		obuf_printf(&r->o, "a=fingerprint:%s%s", sec->fingerprint, r->eol);
	if (sec->setup)
		obuf_printf(&r->o, "a=setup:%s%s", sec->setup, r->eol);
	if (sec->mid && !r->s->media[mi].mid.len)
		obuf_printf(&r->o, "a=mid:%s%s", sec->mid, r->eol);
	if (!r->s->media[mi].has_dir)
		obuf_printf(&r->o, "a=sendrecv%s", r->eol);
}

static int close_rtcp(struct rewriter *r, int mi);

static int close_section(struct rewriter *r, int mi)
{
	int ret;

	if (mi < 0)
		return 0;
	ret = close_rtcp(r, mi);
	if (!ret)
		put_sec(r, mi);
	return ret;
}

/* Closing a section: rtpengine adds a=rtcp where RTCP would otherwise be
 * implied, so the peer need not guess port + 1 of a relay. */
static int close_rtcp(struct rewriter *r, int mi)
{
	const struct sdp_media *m;

	if (r->rw->own_rtcp)
		return own_attrs(r, mi);
	m = &r->s->media[mi];
	if (m->has_rtcp || m->rtcp_mux || !rtp_port(r, mi))
		return 0;
	if (rtcp_port(r, mi) > 65535)
		return -EINVAL;
	line_start(r);
	obuf_puts(&r->o, "a=rtcp:");
	put_port(&r->o, rtcp_port(r, mi));
	obuf_puts(&r->o, r->eol);
	return 0;
}

/* Lines rtd writes itself where own_rtcp: the input's go. */
static bool is_own_attr(const struct line *l)
{
	return (l->len >= 7 && !memcmp(l->p, "a=rtcp:", 7)) ||
	       sdp_mem_is(l->p, l->len, "a=rtcp-mux") || sdp_mem_is(l->p, l->len, "a=rtcp-mux-only");
}

static void put_relay_addr(struct rewriter *r)
{
	obuf_puts(&r->o, "IN ");
	obuf_puts(&r->o, r->ip);
	obuf_puts(&r->o, " ");
	obuf_puts(&r->o, r->addr);
}

int sdp_rewrite(const char *in, size_t inlen, const struct sdp_session *s,
		const struct sdp_rewrite *rw, char *out, size_t outlen)
{
	struct rewriter r = { .s = s, .rw = rw };
	const void *a = rw->family == AF_INET ? (const void *)&rw->addr.s6_addr[12]
					      : (const void *)&rw->addr;
	int mi = -1, ret;
	struct line l;
	size_t pos = 0;

	obuf_init(&r.o, out, outlen);
	if ((rw->family != AF_INET && rw->family != AF_INET6) || s->nmedia > SDP_MAX_MEDIA ||
	    !inet_ntop(rw->family, a, r.addr, sizeof(r.addr)))
		return -EINVAL;
	memcpy(r.ip, rw->family == AF_INET ? "IP4" : "IP6", 4);
	r.eol = s->crlf ? "\r\n" : "\n";
	while (sdp_next_line(in, inlen, pos, &l)) {
		const char *ending = l.p + l.len;
		size_t elen = in + l.next - ending;

		pos = l.next;
		if (l.len >= 2 && !memcmp(l.p, "m=", 2)) {
			struct word w[3];

			ret = close_section(&r, mi);
			if (ret)
				return ret;
			if (mi < 0 && rw->ice_lite) {
				line_start(&r);
				obuf_printf(&r.o, "a=ice-lite%s", r.eol);
			}
			if (++mi >= (int)s->nmedia || sdp_split(l.p + 2, l.len - 2, w, 3) < 3)
				return -EINVAL;
			/* Media type as it was, the port, then proto and formats
			 * byte for byte, unless rtd secures it otherwise. */
			obuf_puts(&r.o, "m=");
			obuf_put(&r.o, w[0].p, w[0].n);
			obuf_puts(&r.o, " ");
			put_port(&r.o, rtp_port(&r, mi));
			if (rw->sec[mi] && rw->sec[mi]->proto) {
				obuf_put(&r.o, w[1].p + w[1].n, w[2].p - (w[1].p + w[1].n));
				obuf_puts(&r.o, rw->sec[mi]->proto);
				obuf_put(&r.o, w[2].p + w[2].n, ending - (w[2].p + w[2].n));
			} else {
				obuf_put(&r.o, w[1].p + w[1].n, ending - (w[1].p + w[1].n));
			}
		} else if (l.len >= 2 && !memcmp(l.p, "o=", 2) && !rw->keep_origin) {
			struct word w[6];

			if (sdp_split(l.p + 2, l.len - 2, w, 6) < 6)
				return -EINVAL;
			/* user, id and version stay; the session version is the
			 * endpoint's to bump, rtpengine leaves it too. */
			obuf_put(&r.o, l.p, w[3].p - l.p);
			put_relay_addr(&r);
			obuf_put(&r.o, w[5].p + w[5].n, ending - (w[5].p + w[5].n));
		} else if (l.len >= 2 && !memcmp(l.p, "c=", 2)) {
			/* A multicast "/ttl" means nothing for a unicast relay. */
			obuf_puts(&r.o, "c=");
			put_relay_addr(&r);
		} else if (mi >= 0 && rw->own_rtcp && is_own_attr(&l)) {
			continue;
		} else if (mi >= 0 && is_rtcp_attr(&l)) {
			const struct sdp_media *m = &s->media[mi];

			if (!rtp_port(&r, mi) || !m->has_rtcp)
				continue; /* rejected: no RTCP to point at */
			obuf_puts(&r.o, "a=rtcp:");
			/* Input muxed onto RTP (RFC 5761 5.1.3): so is the output. */
			if (m->rtcp_port == m->port) {
				put_port(&r.o, rtp_port(&r, mi));
			} else {
				if (rtcp_port(&r, mi) > 65535)
					return -EINVAL;
				put_port(&r.o, rtcp_port(&r, mi));
			}
			if (m->rtcp_has_addr) {
				obuf_puts(&r.o, " ");
				put_relay_addr(&r);
			}
		} else if ((rw->remove_ice || rw->ice_lite) && is_ice_attr(&l)) {
			continue;
		} else if (mi >= 0 ? rw->sec[mi] && is_sec_attr(&l, false)
				   : any_sec(rw) && is_sec_attr(&l, true)) {
			continue;
		} else {
			obuf_put(&r.o, l.p, l.len);
		}
		obuf_put(&r.o, ending, elen);
	}
	if (mi + 1 != (int)s->nmedia)
		return -EINVAL;
	ret = close_section(&r, mi);
	if (ret)
		return ret;
	return obuf_finish(&r.o);
}
