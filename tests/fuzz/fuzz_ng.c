// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ng control side end to end, as a SIP server drives it: each input is
 * a conversation of datagrams separated by "\n%%\n", handed to ng_command()
 * as the socket would, against a relay set up as tests/unit/ng_harness.h
 * does (stub steering, the relay at 198.18.0.1 and 2001:2::1), but over
 * ports 30000-30019: ten port pairs, so that running out is reachable.
 *
 * A datagram may start with one control character:
 *   '~'  from 198.18.0.9, outside --ng-allow: no reply at all
 *   '^'  from ::1 (else from 127.0.0.1)
 *   '<'  with room for a reply of 100 bytes only
 *   '!'  not a datagram: ng_expire() that many seconds (decimal) later
 *
 * What every reply must be: the request's cookie byte for byte, a space,
 * then exactly one bencoded dictionary with a "result" string; a reply
 * whenever the cookie is one and the sender is allowed.  After every step
 * the call table must agree with itself and with what the RT side was told
 * through the ring: each stream added once and deleted once, its port
 * steered exactly while it exists; once every call has timed out, every
 * port and stream slot is free again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sanitizer/asan_interface.h>
#include <inttypes.h>
#include <stdbool.h>

#include "apps/relay/ng.h"
#include "fuzz.h"
#include "lib/clock.h"
#include "log.h"

#define SEP "\n%%\n"
#define PORT_LO 30000
#define PORT_HI 30019
#define NPAIRS ((PORT_HI - PORT_LO + 1) / 2)

/*
 * ng_new's calloc of a struct ng (1.5 MB) is fresh pages from the kernel on
 * every input under ASan, and cost more than all the rest: ng_cmd.c's
 * calloc and free are fuzz_calloc and fuzz_free here (fuzz.mk renames them
 * in a copy of ng_cmd.o), and that one block is kept between inputs, zeroed
 * as calloc's, poisoned while free so that a use after ng_free still shows.
 * Everything else goes to the real ones.
 */
static _Alignas(64) unsigned char ng_block[sizeof(struct ng)];
static bool ng_block_taken;

void *fuzz_calloc(size_t nmemb, size_t size);
void *fuzz_calloc(size_t nmemb, size_t size)
{
	if (nmemb == 1 && size == sizeof(struct ng) && !ng_block_taken) {
		ng_block_taken = true;
		ASAN_UNPOISON_MEMORY_REGION(ng_block, sizeof(ng_block));
		memset(ng_block, 0, sizeof(ng_block));
		return ng_block;
	}
	return calloc(nmemb, size);
}

void fuzz_free(void *p);
void fuzz_free(void *p)
{
	if (p == ng_block) {
		ng_block_taken = false;
		ASAN_POISON_MEMORY_REGION(ng_block, sizeof(ng_block));
		return;
	}
	free(p);
}

static struct relay *relay;
static struct portset ports;
static struct rtd_app_env env;
static struct relay_conf conf;
static struct sockaddr_storage lo4, lo6, stranger;
static uint8_t steered[65536];
/* The RT side's view, from the ring: which stream slots exist, on which port. */
static bool stream_used[RELAY_MAX_STREAMS];
static uint16_t stream_port[RELAY_MAX_STREAMS];
static unsigned nstreams, on_port[PORT_HI - PORT_LO + 1];
static struct bencode_tok toks[4096];
static char out[NG_MAX_MSG];

static int stub_steer(void *ctx, uint16_t port, bool on)
{
	(void)ctx;
	steered[port] = on;
	return 0;
}

static int stub_addr(void *ctx, int family, struct in6_addr *a)
{
	(void)ctx;
	memset(a, 0, sizeof(*a));
	if (family == AF_INET6)
		return inet_pton(AF_INET6, "2001:2::1", a) == 1 ? 0 : -EINVAL;
	a->s6_addr[10] = a->s6_addr[11] = 0xff;
	inet_pton(AF_INET, "198.18.0.1", &a->s6_addr[12]);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in *s4;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&lo6;
	char err[64];

	(void)argc;
	(void)argv;
	log_set_level(0); /* errors only: "ignoring key" on every input is noise */
	relay = calloc(1, sizeof(*relay));
	if (!relay || ring_init(&relay->cmds, 4096, sizeof(struct rcmd)) ||
	    portset_parse("30000-30019", &ports, err, sizeof(err)))
		abort();
	conf = (struct relay_conf){ .ng_listen = "127.0.0.1:2223", .media_timeout = 60 };
	if (allow_parse(&conf.ng_allow, "127.0.0.0/8,::1/128", err, sizeof(err)))
		abort();
	env = (struct rtd_app_env){ .ports = &ports, .steer = stub_steer, .local_addr = stub_addr,
				    .conf = &conf };
	s4 = (struct sockaddr_in *)&lo4;
	s4->sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &s4->sin_addr);
	s4 = (struct sockaddr_in *)&stranger;
	s4->sin_family = AF_INET;
	inet_pton(AF_INET, "198.18.0.9", &s4->sin_addr);
	s6->sin6_family = AF_INET6;
	s6->sin6_addr = in6addr_loopback;
	return 0;
}

static bool ours(unsigned port)
{
	return port >= PORT_LO && port <= PORT_HI;
}

/* What calls.c told the RT side since the last step, against the shadow. */
static void drain(void)
{
	struct rcmd c;

	while (!ring_pop(&relay->cmds, &c)) {
		FUZZ_CHECK(c.idx < RELAY_MAX_STREAMS, "stream %u", c.idx);
		switch (c.op) {
		case RCMD_ADD:
			FUZZ_CHECK(!stream_used[c.idx], "stream %u added twice", c.idx);
			FUZZ_CHECK(ours(c.port), "stream %u on port %u", c.idx, c.port);
			stream_used[c.idx] = true;
			stream_port[c.idx] = c.port;
			nstreams++;
			on_port[c.port - PORT_LO]++;
			break;
		case RCMD_DEL:
			FUZZ_CHECK(stream_used[c.idx], "stream %u deleted, never added", c.idx);
			FUZZ_CHECK(stream_port[c.idx] == c.port, "stream %u deleted on port %u, not %u",
				   c.idx, c.port, stream_port[c.idx]);
			stream_used[c.idx] = false;
			nstreams--;
			on_port[c.port - PORT_LO]--;
			break;
		case RCMD_PEER:
			FUZZ_CHECK(stream_used[c.idx], "peer of stream %u that is not there", c.idx);
			/* 0: not known yet (an ICE leg before its checks) */
			FUZZ_CHECK(!c.peer.family || c.peer.family == AF_INET ||
					   c.peer.family == AF_INET6,
				   "peer of family %d", c.peer.family);
			break;
		default: /* what else the RT side is told is its business */
			break;
		}
	}
}

/*
 * The call table agrees with itself and with the shadow: calls counted,
 * no call-id twice, a port steered exactly while a stream is on it.  With
 * done, every call has ended: all ports and stream slots are back.
 */
static void check_tables(const struct ng *n, bool done)
{
	const struct calls *c = &n->calls;
	unsigned used = 0;

	for (unsigned i = 0; i < CALLS_MAX; i++) {
		const struct call *call = &c->call[i];

		if (!call->used)
			continue;
		used++;
		FUZZ_CHECK(call->nmedia <= CALLS_MAX_MEDIA, "call %u: %u media", i, call->nmedia);
		for (unsigned k = 0; k < i; k++)
			FUZZ_CHECK(!c->call[k].used || strcmp(c->call[k].call_id, call->call_id),
				   "calls %u and %u are both '%s'", k, i, call->call_id);
	}
	FUZZ_CHECK(used == c->ncalls, "%u calls in use, %u counted", used, c->ncalls);
	FUZZ_CHECK(portset_count(&c->free_ports) <= NPAIRS && c->nfree_idx <= RELAY_MAX_STREAMS,
		   "%u free pairs of %u, %u free stream slots", portset_count(&c->free_ports),
		   NPAIRS, c->nfree_idx);
	for (unsigned p = PORT_LO; p <= PORT_HI; p++) {
		FUZZ_CHECK(on_port[p - PORT_LO] <= 1, "port %u has %u streams", p,
			   on_port[p - PORT_LO]);
		FUZZ_CHECK(steered[p] == on_port[p - PORT_LO], "port %u steered %d with %u streams",
			   p, steered[p], on_port[p - PORT_LO]);
	}
	if (!done)
		return;
	FUZZ_CHECK(!c->ncalls && !nstreams, "%u calls, %u streams outlived the timeout", c->ncalls,
		   nstreams);
	FUZZ_CHECK(portset_count(&c->free_ports) == NPAIRS && c->nfree_idx == RELAY_MAX_STREAMS,
		   "all calls ended, %u of %u pairs and %u of %u stream slots free",
		   portset_count(&c->free_ports), NPAIRS, c->nfree_idx, RELAY_MAX_STREAMS);
}

static void check_reply(const uint8_t *msg, size_t len, bool allowed, size_t room, int r)
{
	const uint8_t *sp = memchr(msg, ' ', len);
	size_t clen = sp ? (size_t)(sp - msg) : 0;
	bool cookie = sp && clen && clen < sizeof(((struct ng_cached *)0)->cookie);
	int ntok, res;

	FUZZ_CHECK(r >= 0 && (size_t)r <= room, "reply of %d bytes in %zu", r, room);
	if (!allowed || !cookie) {
		FUZZ_CHECK(r == 0, "a reply (%d bytes) to %s", r,
			   allowed ? "a datagram without a cookie" : "a stranger");
		return;
	}
	/* With room for any reply, every command gets one. */
	if (!r) {
		FUZZ_CHECK(room < sizeof(out), "no reply to cookie '%.*s'", (int)clen, msg);
		return;
	}
	FUZZ_CHECK((size_t)r > clen + 1 && !memcmp(out, msg, clen) && out[clen] == ' ',
		   "reply '%.*s' to cookie '%.*s'", r < 80 ? r : 80, out, (int)clen, msg);
	ntok = bencode_parse(out + clen + 1, r - clen - 1, toks, sizeof(toks) / sizeof(toks[0]));
	FUZZ_CHECK(ntok > 0 && toks[0].type == BENCODE_DICT,
		   "reply is not one bencoded dictionary (%d): '%.*s'", ntok, r, out);
	res = bencode_dict_get(out + clen + 1, toks, 0, "result");
	FUZZ_CHECK(res > 0 && toks[res].type == BENCODE_STR, "reply without a result: '%.*s'", r,
		   out);
}

/*
 * "!S": the media timeout scan S seconds after the conversation began.  No
 * media flows here and everything happened within a second of the start:
 * up to the timeout nothing ends, from ten seconds past it everything.
 */
static void expire(struct ng *n, const uint8_t *p, size_t len, uint64_t t0)
{
	uint64_t secs = 0;
	unsigned before = n->calls.ncalls, got;

	for (size_t i = 0; i < len && i < 6 && p[i] >= '0' && p[i] <= '9'; i++)
		secs = secs * 10 + (p[i] - '0');
	got = ng_expire(n, t0 + secs * NSEC_PER_SEC);
	if (secs <= conf.media_timeout)
		FUZZ_CHECK(got == 0, "%u calls ended %" PRIu64 " s on", got, secs);
	else if (secs >= conf.media_timeout + 10)
		FUZZ_CHECK(got == before && !n->calls.ncalls, "%u of %u calls ended %" PRIu64 " s on",
			   got, before, secs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split sp;
	const uint8_t *piece;
	uint64_t t0 = clock_ns();
	struct ng *n;
	size_t len;

	memset(steered, 0, sizeof(steered));
	memset(stream_used, 0, sizeof(stream_used));
	memset(on_port, 0, sizeof(on_port));
	nstreams = 0;
	n = ng_new(relay, &env);
	if (!n)
		abort();
	fuzz_split_init(&sp, data, size, SEP);
	while (fuzz_split_next(&sp, &piece, &len)) {
		const struct sockaddr_storage *from = &lo4;
		size_t room = sizeof(out);
		char *msg;
		int r;

		if (len && piece[0] == '!') {
			expire(n, piece + 1, len - 1, t0);
			drain();
			check_tables(n, false);
			continue;
		}
		if (len && (piece[0] == '~' || piece[0] == '^' || piece[0] == '<')) {
			if (piece[0] == '~')
				from = &stranger;
			else if (piece[0] == '^')
				from = &lo6;
			else
				room = 100;
			piece++;
			len--;
		}
		msg = fuzz_dup(piece, len);
		r = ng_command(n, msg, len, from, out, room);
		check_reply(piece, len, from != &stranger, room, r);
		free(msg);
		drain();
		check_tables(n, false);
	}
	/* Long after: every call silent past the timeout, all of it given back. */
	ng_expire(n, t0 + 100000 * NSEC_PER_SEC);
	drain();
	check_tables(n, true);
	ng_free(n);
	return 0;
}
