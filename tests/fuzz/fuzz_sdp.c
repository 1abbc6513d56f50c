// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SDP as an offer or answer carries it: any bytes into sdp_parse, and what
 * parsed through sdp_rewrite into a buffer of exactly the size asked.  The
 * relay's address, ports and flags come from a hash of the input, so every
 * mutation meets another rewrite.  What a rewrite promises: the body parses
 * again, with the relay's address on every stream and the relay's ports on
 * every m= and a=rtcp; the same output in a buffer of exactly its length,
 * -ENOSPC a byte short; and rewriting it again changes nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>

#include "apps/relay/sdp.h"
#include "fuzz.h"

static struct sdp_session in, again, third;

/* The relay's side of a rewrite, from h. */
static void make_rewrite(uint64_t h, struct sdp_rewrite *rw)
{
	static const uint16_t edge[] = { 0, 1, 2, 65534, 65535 };

	memset(rw, 0, sizeof(*rw));
	rw->family = h & 1 ? AF_INET6 : AF_INET;
	if (rw->family == AF_INET6) {
		inet_pton(AF_INET6, h & 2 ? "2001:2::1" : "::ffff:198.18.0.1", &rw->addr);
	} else {
		rw->addr.s6_addr[10] = rw->addr.s6_addr[11] = 0xff;
		inet_pton(AF_INET, h & 2 ? "198.18.0.1" : "255.255.255.255", &rw->addr.s6_addr[12]);
	}
	rw->remove_ice = h >> 2 & 1;
	rw->keep_origin = h >> 3 & 1;
	for (unsigned i = 0; i < SDP_MAX_MEDIA; i++) {
		unsigned k = (h >> (8 + 3 * i)) & 7;

		/* Mostly ordinary pairs; now and then an edge. */
		rw->port[i] = k < 5 ? 30000 + 2 * i : edge[(h >> 40) % 5];
		rw->rtcp_port[i] = k == 7 ? edge[(h >> 48) % 5] : k == 6 ? rw->port[i] : 0;
	}
}

static bool is_relay(const struct sdp_rewrite *rw, int family, const struct in6_addr *a)
{
	return family == rw->family && !memcmp(a, &rw->addr, sizeof(*a));
}

/* Rewrite into a heap block of exactly cap bytes; the length or the error. */
static int rewrite(const char *body, size_t len, const struct sdp_session *s,
		   const struct sdp_rewrite *rw, size_t cap, char **out)
{
	int n;

	*out = malloc(cap ? cap : 1);
	if (!*out)
		abort();
	n = sdp_rewrite(body, len, s, rw, *out, cap);
	FUZZ_CHECK(n == -ENOSPC || n == -EINVAL || (n >= 0 && (size_t)n <= cap),
		   "rewrite into %zu bytes: %d", cap, n);
	return n;
}

/* What the rewritten body says, against what went in and the relay's side. */
static void check_rewritten(const struct sdp_rewrite *rw)
{
	FUZZ_CHECK(again.nmedia == in.nmedia, "%u media in, %u out", in.nmedia, again.nmedia);
	FUZZ_CHECK(again.crlf == in.crlf, "line endings changed");
	FUZZ_CHECK(again.has_o == in.has_o, "o= came or went");
	if (in.has_o && !rw->keep_origin)
		FUZZ_CHECK(again.o_literal && is_relay(rw, again.o_family, &again.o_addr),
			   "o= does not name the relay");
	for (unsigned i = 0; i < in.nmedia; i++) {
		const struct sdp_media *a = &in.media[i], *b = &again.media[i];
		unsigned p = a->port ? rw->port[i] : 0;
		unsigned r = rw->rtcp_port[i] ? rw->rtcp_port[i] : p + 1;
		int fam;
		struct in6_addr addr;

		FUZZ_CHECK(!strcmp(a->type, b->type) && !strcmp(a->proto, b->proto),
			   "media %u: %s %s became %s %s", i, a->type, a->proto, b->type, b->proto);
		FUZZ_CHECK(b->port == p, "media %u: port %u, the relay's is %u", i, b->port, p);
		FUZZ_CHECK(b->nports == 1, "media %u: a port count survived", i);
		FUZZ_CHECK(b->dir == a->dir, "media %u: direction %u became %u", i, a->dir, b->dir);
		FUZZ_CHECK(b->rtcp_mux == a->rtcp_mux, "media %u: rtcp-mux changed", i);
		FUZZ_CHECK(!sdp_media_addr(&again, i, &fam, &addr) && is_relay(rw, fam, &addr),
			   "media %u does not send to the relay", i);
		if (!p) {
			FUZZ_CHECK(!b->has_rtcp, "rejected media %u kept an a=rtcp", i);
			continue;
		}
		FUZZ_CHECK(b->has_rtcp == (a->has_rtcp || !a->rtcp_mux),
			   "media %u: a=rtcp %d in, %d out (mux %d)", i, a->has_rtcp, b->has_rtcp,
			   a->rtcp_mux);
		if (a->has_rtcp)
			FUZZ_CHECK(b->rtcp_port == (a->rtcp_port == a->port ? p : r),
				   "media %u: a=rtcp:%u, expected %u", i, b->rtcp_port,
				   a->rtcp_port == a->port ? p : r);
		else if (!a->rtcp_mux)
			FUZZ_CHECK(b->rtcp_port == r, "media %u: added a=rtcp:%u, not %u", i,
				   b->rtcp_port, r);
		if (b->rtcp_has_addr)
			FUZZ_CHECK(is_relay(rw, b->rtcp_family, &b->rtcp_addr),
				   "media %u: a=rtcp names another address", i);
		if (rw->remove_ice)
			FUZZ_CHECK(!b->ice, "media %u kept its candidates", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_dup(data, size), *out, *exact, *out2, err[128];
	struct sdp_rewrite rw;
	int n, m, ret;

	ret = sdp_parse(body, size, &in, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK(ret == -EBADMSG && !strncmp(err, "sdp: line ", 10),
			   "parse: %d, '%s'", ret, err);
		free(body);
		return 0;
	}
	FUZZ_CHECK(in.nmedia <= SDP_MAX_MEDIA, "%u media", in.nmedia);
	make_rewrite(fuzz_hash(data, size), &rw);

	/* Room for any growth: each line gains at most an address and a port. */
	n = rewrite(body, size, &in, &rw, 16 * size + 256, &out);
	if (n < 0) {
		bool edge = false;

		/* Only an RTCP port past 65535 makes a rewrite impossible. */
		for (unsigned i = 0; i < in.nmedia; i++)
			edge |= in.media[i].port && rw.port[i] == 65535 && !rw.rtcp_port[i];
		FUZZ_CHECK(n == -EINVAL && edge, "rewrite: %d", n);
		free(out);
		free(body);
		return 0;
	}
	FUZZ_CHECK(rewrite(body, size, &in, &rw, n, &exact) == n && !memcmp(exact, out, n),
		   "in exactly %d bytes, a different rewrite", n);
	free(exact);
	if (n)
		FUZZ_CHECK(rewrite(body, size, &in, &rw, n - 1, &exact) == -ENOSPC,
			   "a byte short, no -ENOSPC");
	free(exact);

	ret = sdp_parse(out, n, &again, err, sizeof(err));
	FUZZ_CHECK(!ret, "the rewritten body does not parse: %s\n%.*s", err, n, out);
	check_rewritten(&rw);

	m = rewrite(out, n, &again, &rw, 16 * (size_t)n + 256, &out2);
	FUZZ_CHECK(m == n && !memcmp(out, out2, n), "rewriting again changed it (%d, %d)", n, m);
	FUZZ_CHECK(!sdp_parse(out2, m, &third, NULL, 0), "the second rewrite does not parse");
	free(out2);
	free(out);
	free(body);
	return 0;
}
