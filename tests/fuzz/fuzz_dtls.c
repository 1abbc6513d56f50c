// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The relay's DTLS-SRTP engine as the handshake thread drives it, and the
 * SDP values it reads.  The first input byte is the mode, the rest:
 *   bits 0-1  0: datagrams for a fresh server connection
 *             1: datagrams for a server done with a real client of the
 *                engine (that handshake runs first, in memory)
 *             2: datagrams for a client that has sent its ClientHello
 *             3: text: an a=fingerprint value, an a=setup value, a DTLS
 *                flag; its first bytes also pick a=setup negotiations
 *   bit 2     the connection offers AES128_CM_SHA1_80 alone (else all four)
 * Datagrams are separated by "\n%%\n" (tests/fuzz/capture_dtls.py records
 * real ones for the corpus).
 *
 * What a connection promises whatever it reads: it never comes to done
 * without the certificate its fingerprint names (no input holds that
 * key), so a server or a client fed the input never is; a done server
 * stays done with the same keys, as nothing but the peer's authenticated
 * records may end them; every datagram out fits RDTLS_MTU, at most
 * RDTLS_OUT_MAX a call; a reason is one printable line.  The parsers:
 * what parses formats back to what parses the same; a reason is one
 * printable line; two ends that negotiate a=setup with rtd's own helpers
 * never take the same role.
 */
#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include "apps/relay/dtls.h"
#include "fuzz.h"

#define SEP "\n%%\n"

/* Two identities for the process: a P-256 key costs a millisecond. */
static struct rdtls_identity *rtd_id, *peer_id;
static struct rdtls_fp rtd_fp, peer_fp;
static struct rdtls_out out, back;

static struct rdtls_fp fp_of(const struct rdtls_identity *id)
{
	const char *s = rdtls_identity_fingerprint(id);
	struct rdtls_fp fp;
	char err[128];

	if (rdtls_fp_parse(&fp, s, strlen(s), err, sizeof(err)))
		abort();
	return fp;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[160];

	(void)argc;
	(void)argv;
	if (rdtls_identity_new(&rtd_id, 0, err, sizeof(err)) ||
	    rdtls_identity_new(&peer_id, 0, err, sizeof(err)))
		abort();
	rtd_fp = fp_of(rtd_id);
	peer_fp = fp_of(peer_id);
	return 0;
}

static void check_line(const char *s, size_t cap, const char *what)
{
	size_t n = strnlen(s, cap);

	FUZZ_CHECK(n < cap, "%s is not terminated", what);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f, "%s has byte %#x at %zu", what,
			   (unsigned char)s[i], i);
}

static void check_out(const struct rdtls_out *o)
{
	FUZZ_CHECK(o->n <= RDTLS_OUT_MAX, "%u datagrams out", o->n);
	for (unsigned i = 0; i < o->n; i++)
		FUZZ_CHECK(o->len[i] > 0 && o->len[i] <= RDTLS_MTU, "a datagram of %u bytes",
			   o->len[i]);
}

static void check_conn(const struct rdtls_conn *c)
{
	enum rdtls_state s = rdtls_conn_state(c);
	int t = rdtls_conn_timeout_ms(c);

	FUZZ_CHECK(s <= RDTLS_CLOSED, "state %d", s);
	FUZZ_CHECK(t >= -1 && (t == -1) == (s != RDTLS_HANDSHAKING), "timeout %d in state %d", t,
		   s);
	check_line(rdtls_conn_reason(c), 200, "the reason");
	FUZZ_CHECK((s == RDTLS_FAILED || s == RDTLS_CLOSED) == (rdtls_conn_reason(c)[0] != 0),
		   "state %d with reason '%s'", s, rdtls_conn_reason(c));
}

static struct rdtls_conn *conn(struct rdtls_identity *id, enum rdtls_role role,
			       const struct rdtls_fp *peer, bool one_profile)
{
	struct rdtls_conn_opts o = {
		.role = role,
		.fps = peer,
		.nfps = 1,
		.profiles = { one_profile ? RDTLS_AES128_CM_SHA1_80 : 0 },
	};
	struct rdtls_conn *c;

	if (rdtls_conn_new(&c, id, &o))
		abort();
	return c;
}

/* What `from` yielded, fed to `to`, and back, until both are quiet. */
static void exchange(struct rdtls_conn *from, struct rdtls_conn *to, const struct rdtls_out *first)
{
	static struct rdtls_out q[2];
	struct rdtls_conn *side[2] = { to, from };
	int k = 0;

	q[0] = *first;
	for (int round = 0; round < 8 && q[k].n; round++, k ^= 1) {
		q[k ^ 1].n = 0;
		for (unsigned i = 0; i < q[k].n; i++) {
			if (rdtls_conn_feed(side[k], q[k].data[i], q[k].len[i], &back))
				abort();
			for (unsigned j = 0; j < back.n && q[k ^ 1].n < RDTLS_OUT_MAX; j++) {
				q[k ^ 1].len[q[k ^ 1].n] = back.len[j];
				memcpy(q[k ^ 1].data[q[k ^ 1].n++], back.data[j], back.len[j]);
			}
		}
	}
}

/* A server of rtd's done with a client of the peer's: a real handshake. */
static struct rdtls_conn *done_server(bool one_profile, struct rdtls_keys *keys)
{
	struct rdtls_conn *cl = conn(peer_id, RDTLS_CLIENT, &rtd_fp, false);
	struct rdtls_conn *sv = conn(rtd_id, RDTLS_SERVER, &peer_fp, one_profile);

	if (rdtls_conn_timer(cl, &out))
		abort();
	exchange(cl, sv, &out);
	FUZZ_CHECK(rdtls_conn_state(sv) == RDTLS_DONE && rdtls_conn_state(cl) == RDTLS_DONE,
		   "an in-memory handshake: '%s' / '%s'", rdtls_conn_reason(cl),
		   rdtls_conn_reason(sv));
	FUZZ_CHECK(rdtls_conn_keys(sv, keys) == 0, "done without keys");
	rdtls_conn_free(cl);
	return sv;
}

static void feed_all(struct rdtls_conn *c, const uint8_t *data, size_t size,
		     const struct rdtls_keys *keys)
{
	struct fuzz_split sp;
	const uint8_t *d;
	size_t len;

	fuzz_split_init(&sp, data, size, SEP);
	while (fuzz_split_next(&sp, &d, &len)) {
		uint8_t *copy = fuzz_dup(d, len);
		int ret = rdtls_conn_feed(c, copy, len, &out);
		struct rdtls_keys k;

		free(copy);
		FUZZ_CHECK(ret == 0 || (ret == -EMSGSIZE && len > RDTLS_DGRAM_MAX), "feed: %d", ret);
		check_out(&out);
		check_conn(c);
		if (keys) {
			FUZZ_CHECK(rdtls_conn_state(c) == RDTLS_DONE, "a done server went to %d: %s",
				   rdtls_conn_state(c), rdtls_conn_reason(c));
			FUZZ_CHECK(!rdtls_conn_keys(c, &k) && !memcmp(&k, keys, sizeof(k)),
				   "the keys changed");
		} else {
			FUZZ_CHECK(rdtls_conn_state(c) != RDTLS_DONE && rdtls_conn_keys(c, &k),
				   "done with an input's certificate");
		}
	}
}

static void check_fingerprint(const char *s, size_t len)
{
	char err[160] = "", text[RDTLS_FP_STR_MAX];
	struct rdtls_fp fp, again;
	int n;

	if (rdtls_fp_parse(&fp, s, len, err, sizeof(err))) {
		FUZZ_CHECK(err[0], "refused without a reason");
		check_line(err, sizeof(err), "the fingerprint's reason");
		return;
	}
	n = rdtls_fp_format(&fp, text, sizeof(text));
	FUZZ_CHECK(n > 0 && (size_t)n == strlen(rdtls_hash_name(fp.hash)) + 3u * fp.len,
		   "formatted in %d", n);
	FUZZ_CHECK(!rdtls_fp_parse(&again, text, (size_t)n, err, sizeof(err)) &&
			   !memcmp(&fp, &again, sizeof(fp)),
		   "'%s' does not parse back", text);
	FUZZ_CHECK(rdtls_fp_format(&fp, text, (size_t)n) == -ENOSPC, "a byte short");
}

static void check_words(const char *s, size_t len)
{
	enum rdtls_setup st;
	enum rdtls_wish w;

	if (!rdtls_setup_parse(s, len, &st)) {
		const char *word = rdtls_setup_word(st);

		FUZZ_CHECK(word && st != RDTLS_SETUP_NONE, "setup %d", st);
		FUZZ_CHECK(!rdtls_setup_parse(word, strlen(word), &st) &&
				   !strcasecmp(word, rdtls_setup_word(st)),
			   "'%s' does not parse back", word);
	}
	if (!rdtls_wish_parse(s, len, &w))
		FUZZ_CHECK(w <= RDTLS_WISH_OFF, "wish %d", w);
}

/* rtd offers with wish w1, a peer of the same rules answers with w2: one
 * client and one server, or neither. */
static void check_negotiation(unsigned w1, unsigned w2, unsigned offer, unsigned answer)
{
	enum rdtls_setup ours = rdtls_setup_offer((enum rdtls_wish)(w1 & 3)), theirs;
	enum rdtls_role r1, r2;
	int ret;

	/* Off on either side is no DTLS at all: nothing to agree on. */
	if ((w1 & 3) != RDTLS_WISH_OFF && (w2 & 3) != RDTLS_WISH_OFF) {
		FUZZ_CHECK(!rdtls_setup_answer(ours, (enum rdtls_wish)(w2 & 3), &r2, &theirs),
			   "answering %d", ours);
		ret = rdtls_setup_answered(ours, theirs, &r1);
		FUZZ_CHECK(ret == 0, "rtd refuses its own rules' answer %d to %d: %d", theirs, ours,
			   ret);
		FUZZ_CHECK(r1 != RDTLS_ROLE_NONE && r2 != RDTLS_ROLE_NONE && r1 != r2,
			   "roles %d and %d (wishes %u %u)", r1, r2, w1 & 3, w2 & 3);
	}
	/* Any values: what an answer says is the role taken. */
	ret = rdtls_setup_answer((enum rdtls_setup)offer, (enum rdtls_wish)answer, &r2, &theirs);
	if (offer > RDTLS_SETUP_HOLDCONN || answer > RDTLS_WISH_OFF) {
		FUZZ_CHECK(ret == -EINVAL, "out of range: %d", ret);
		return;
	}
	FUZZ_CHECK(ret == 0, "answer: %d", ret);
	FUZZ_CHECK((r2 == RDTLS_SERVER) == (theirs == RDTLS_SETUP_PASSIVE) &&
			   (r2 == RDTLS_CLIENT) == (theirs == RDTLS_SETUP_ACTIVE),
		   "role %d written as %d", r2, theirs);
}

static void parsers(const uint8_t *data, size_t size)
{
	char *s = fuzz_dup(data, size);

	check_fingerprint(s, size);
	check_words(s, size);
	if (size >= 2)
		check_negotiation(data[0], data[0] >> 2, data[1] & 7, data[1] >> 3 & 7);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rdtls_keys keys;
	struct rdtls_conn *c;
	bool one;
	uint8_t mode;

	if (!size)
		return 0;
	mode = data[0];
	one = mode & 4;
	data++;
	size--;
	switch (mode & 3) {
	case 0:
		c = conn(rtd_id, RDTLS_SERVER, &peer_fp, one);
		feed_all(c, data, size, NULL);
		break;
	case 1:
		c = done_server(one, &keys);
		feed_all(c, data, size, &keys);
		break;
	case 2:
		c = conn(rtd_id, RDTLS_CLIENT, &peer_fp, one);
		if (rdtls_conn_timer(c, &out))
			abort();
		check_out(&out);
		feed_all(c, data, size, NULL);
		break;
	default:
		parsers(data, size);
		return 0;
	}
	rdtls_conn_free(c);
	FUZZ_CHECK(rdtls_identity_conns(rtd_id) == 0, "%u connections left",
		   rdtls_identity_conns(rtd_id));
	return 0;
}
