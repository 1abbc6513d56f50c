// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SDES as offers and controllers write it.  The first input byte is the
 * mode; bit 0 picks what the rest is:
 *   0  an a=crypto value, exactly its bytes: sdes_parse.  What parses
 *      formats (padded when bit 1 is set) and parses back to the same tag,
 *      key and lifetime, -ENOSPC one byte short, and its key bytes are the
 *      base64 of the line read plainly here; what is refused returns
 *      -EINVAL or -ENOTSUP with a one-line reason, which never holds key
 *      material: every "inline:" in it is followed by "...".
 *   1  rtpengine's SDES flags, words separated by spaces, then after a
 *      NUL the suites of an offer, one byte each: sdes_flag, sdes_offer and
 *      sdes_answer, held to what sdes.h says they do.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include <openssl/evp.h>

#include "apps/relay/sdes.h"
#include "fuzz.h"

static bool one_line(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Every "inline:" of a reason is cut short: "inline:...". */
static bool no_key(const char *err)
{
	for (const char *p = err; (p = strcasestr(p, "inline:")); p += 7)
		if (strncmp(p + 7, "...", 3))
			return false;
	return true;
}

/* The key's base64 read again without sdes.c: the token after "inline:"
 * up to '|', decoded by EVP_DecodeBlock once padded to whole quanta. */
static bool ref_key(const char *v, size_t n, uint8_t *out, size_t *outn)
{
	const char *at = NULL, *end;
	char quanta[128];
	size_t len, body, pad;
	int got;

	for (size_t i = 0; i + 7 <= n; i++) {
		if (!strncasecmp(v + i, "inline:", 7)) {
			at = v + i + 7;
			break;
		}
	}
	if (!at)
		return false;
	end = at;
	while (end < v + n && *end != '|' && *end != ' ' && *end != '\t')
		end++;
	len = (size_t)(end - at);
	body = len;
	while (body && at[body - 1] == '=')
		body--;
	pad = (4 - body % 4) % 4;
	if (body + pad > sizeof(quanta))
		return false;
	memcpy(quanta, at, body);
	memset(quanta + body, '=', pad);
	got = EVP_DecodeBlock(out, (const unsigned char *)quanta, (int)(body + pad));
	if (got < (int)pad)
		return false;
	*outn = (size_t)got - pad;
	return true;
}

static void value(const uint8_t *data, size_t size, bool pad)
{
	char *v = fuzz_dup(data, size), err[SDES_ERR_MAX], out[SDES_VALUE_MAX], tight[SDES_VALUE_MAX];
	struct sdes_crypto c, back;
	uint8_t raw[128];
	size_t rawn = 0;
	int ret = sdes_parse(v, size, &c, err, sizeof(err)), n;

	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ENOTSUP, "sdes_parse: %d", ret);
	if (ret) {
		FUZZ_CHECK(one_line(err), "the reason is not one printable line: \"%s\"", err);
		FUZZ_CHECK(no_key(err), "the reason holds a key: \"%s\"", err);
		free(v);
		return;
	}
	{
		const struct rsrtp_suite_info *si = &rsrtp_suites[c.key.suite];

		FUZZ_CHECK(c.tag <= SDES_TAG_MAX && c.key.lifetime <= RSRTP_LIFETIME_MAX,
			   "tag %u, lifetime %llu", c.tag, (unsigned long long)c.key.lifetime);
		FUZZ_CHECK(ref_key(v, size, raw, &rawn) &&
				   rawn == (size_t)si->key_len + si->salt_len &&
				   !memcmp(raw, c.key.key, si->key_len) &&
				   !memcmp(raw + si->key_len, c.key.salt, si->salt_len),
			   "the key is not the inline base64's");
	}
	n = sdes_format(out, sizeof(out), c.tag, &c.key, pad);
	FUZZ_CHECK(n > 0 && (size_t)n == strlen(out), "sdes_format: %d", n);
	FUZZ_CHECK(sdes_format(tight, (size_t)n, c.tag, &c.key, pad) == -ENOSPC, "a byte short");
	FUZZ_CHECK(sdes_parse(out, (size_t)n, &back, err, sizeof(err)) == 0, "\"%s\" does not "
		   "parse back: %s", out, err);
	FUZZ_CHECK(back.tag == c.tag && back.key.suite == c.key.suite &&
			   back.key.lifetime == c.key.lifetime &&
			   !memcmp(back.key.key, c.key.key, sizeof(c.key.key)) &&
			   !memcmp(back.key.salt, c.key.salt, sizeof(c.key.salt)),
		   "\"%s\" parses back to another line", out);
	free(v);
}

static void check_offer(const struct sdes_flags *f, const enum rsrtp_suite *offered, unsigned n)
{
	enum rsrtp_suite out[RSRTP_NSUITES];
	unsigned k = sdes_offer(f, offered, n, out), seen = 0, next = 0;

	FUZZ_CHECK(k <= RSRTP_NSUITES && (!f->off || !k), "%u suites offered", k);
	for (unsigned i = 0; i < k; i++) {
		bool was_offered = false;

		FUZZ_CHECK((int)out[i] >= 0 && out[i] < RSRTP_NSUITES && !(seen & 1u << out[i]),
			   "suite %d twice or out of range", out[i]);
		seen |= 1u << out[i];
		for (unsigned j = 0; j < n; j++)
			was_offered = was_offered || offered[j] == out[i];
		FUZZ_CHECK(f->nonew ? was_offered : sdes_allowed(f, out[i]),
			   "suite %d offered against the flags", out[i]);
	}
	/* order: its suites first, in its order. */
	for (unsigned i = 0; i < f->norder; i++)
		if (seen & 1u << f->order[i])
			FUZZ_CHECK(out[next++] == f->order[i], "order: not followed");
	/* Without nonew or off, every allowed suite is offered. */
	for (int s = 0; !f->off && !f->nonew && s < RSRTP_NSUITES; s++)
		FUZZ_CHECK(!sdes_allowed(f, s) || (seen & 1u << s), "suite %d left out", s);
}

static void check_answer(const struct sdes_flags *f, const enum rsrtp_suite *offered, unsigned n)
{
	struct sdes_crypto lines[64];
	bool any = false;
	int a;

	for (unsigned i = 0; i < n; i++) {
		memset(&lines[i], 0, sizeof(lines[i]));
		lines[i].tag = i;
		lines[i].key.suite = offered[i];
		any = any || sdes_allowed(f, offered[i]);
	}
	a = sdes_answer(f, lines, n);
	FUZZ_CHECK(n ? a >= 0 && (unsigned)a < n : a == -ENOENT, "sdes_answer: %d of %u", a, n);
	if (n && any)
		FUZZ_CHECK(sdes_allowed(f, lines[a].key.suite), "answered with a suite not allowed");
	if (n && !any)
		FUZZ_CHECK(a == 0, "none allowed, yet not the topmost");
}

static void flags(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t wlen = nul ? (size_t)(nul - data) : size;
	enum rsrtp_suite offered[64];
	struct sdes_flags f = { 0 };
	struct fuzz_split sp;
	const uint8_t *w;
	unsigned n = 0;
	size_t len;

	fuzz_split_init(&sp, data, wlen, " ");
	while (fuzz_split_next(&sp, &w, &len)) {
		char *word = fuzz_dup(w, len), err[SDES_ERR_MAX];
		struct sdes_flags before = f;
		int ret = sdes_flag(&f, word, len, err, sizeof(err));

		FUZZ_CHECK(ret == 0 || ret == SDES_IGNORED || ret == -EINVAL, "sdes_flag: %d", ret);
		FUZZ_CHECK(!ret || one_line(err), "the reason is not one printable line");
		FUZZ_CHECK(ret != -EINVAL || !memcmp(&before, &f, sizeof(f)),
			   "a refused word changed the flags");
		FUZZ_CHECK(f.norder <= RSRTP_NSUITES && f.npref <= RSRTP_NSUITES, "list lengths");
		free(word);
	}
	for (size_t i = wlen + 1; nul && i < size && n < 64; i++)
		offered[n++] = (enum rsrtp_suite)(data[i] % RSRTP_NSUITES);
	check_offer(&f, offered, n);
	check_answer(&f, offered, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		flags(data + 1, size - 1);
	else
		value(data + 1, size - 1, data[0] & 2);
	return 0;
}
