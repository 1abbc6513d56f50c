// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The SDP side of DTLS-SRTP: a=fingerprint and a=setup, no OpenSSL. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "apps/relay/dtls.h"

static const struct {
	const char *name;
	uint8_t len;
} hashes[] = {
	[RDTLS_SHA1] = { "sha-1", 20 },     [RDTLS_SHA224] = { "sha-224", 28 },
	[RDTLS_SHA256] = { "sha-256", 32 }, [RDTLS_SHA384] = { "sha-384", 48 },
	[RDTLS_SHA512] = { "sha-512", 64 },
};

#define NHASHES (sizeof(hashes) / sizeof(hashes[0]))

const char *rdtls_hash_name(enum rdtls_hash h)
{
	return (unsigned)h < NHASHES ? hashes[h].name : NULL;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* s[0..*len) without the white space around it. */
static const char *trim(const char *s, size_t *len)
{
	while (*len && is_space(*s)) {
		s++;
		(*len)--;
	}
	while (*len && is_space(s[*len - 1]))
		(*len)--;
	return s;
}

static int hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static int parse_hash(const char *s, size_t n, enum rdtls_hash *h, char *err, size_t errlen)
{
	char q[17];
	size_t k = n < sizeof(q) - 1 ? n : sizeof(q) - 1;

	for (unsigned i = 1; i < NHASHES; i++)
		if (strlen(hashes[i].name) == n && !strncasecmp(s, hashes[i].name, n)) {
			*h = (enum rdtls_hash)i;
			return 0;
		}

	/* A printable quote of a few bytes: the SDP is the peer's. */
	for (size_t i = 0; i < k; i++)
		q[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
	q[k] = 0;
	snprintf(err, errlen, "'%s' is not a hash of sha-1, sha-224, sha-256, sha-384, sha-512", q);
	return -EINVAL;
}

/* The colon-separated pairs of s[0..n) into fp->md. */
static int parse_pairs(struct rdtls_fp *fp, const char *s, size_t n, char *err, size_t errlen)
{
	const char *name = hashes[fp->hash].name;
	unsigned want = hashes[fp->hash].len, got = 0;
	size_t i = 0;

	for (;;) {
		int hi, lo;

		if (i + 2 > n || (hi = hex(s[i])) < 0 || (lo = hex(s[i + 1])) < 0) {
			snprintf(err, errlen, "byte %u of the fingerprint is not two hex digits",
				 got + 1);
			return -EINVAL;
		}
		if (got == want) {
			snprintf(err, errlen, "%s wants %u bytes, this has more", name, want);
			return -EINVAL;
		}
		fp->md[got++] = (uint8_t)(hi << 4 | lo);
		i += 2;
		if (i == n)
			break;
		if (s[i] != ':') {
			snprintf(err, errlen, "byte %u of the fingerprint is followed by '%c', not ':'",
				 got, s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?');
			return -EINVAL;
		}
		i++;
	}
	if (got != want) {
		snprintf(err, errlen, "%s wants %u bytes, not %u", name, want, got);
		return -EINVAL;
	}
	fp->len = (uint8_t)got;
	return 0;
}

int rdtls_fp_parse(struct rdtls_fp *fp, const char *s, size_t len, char *err, size_t errlen)
{
	size_t n = 0;
	int ret;

	memset(fp, 0, sizeof(*fp));
	s = trim(s, &len);
	while (n < len && !is_space(s[n]))
		n++;
	if (n == len) {
		snprintf(err, errlen, "expected '<hash> <hex pairs>'");
		return -EINVAL;
	}
	ret = parse_hash(s, n, &fp->hash, err, errlen);
	if (ret)
		return ret;
	while (n < len && is_space(s[n]))
		n++;
	ret = parse_pairs(fp, s + n, len - n, err, errlen);
	if (ret)
		memset(fp, 0, sizeof(*fp));
	return ret;
}

int rdtls_fp_format(const struct rdtls_fp *fp, char *out, size_t cap)
{
	const char *name = rdtls_hash_name(fp->hash);
	size_t n;

	if (!name || fp->len != hashes[fp->hash].len)
		return -EINVAL;
	n = strlen(name);
	if (cap < n + 3u * fp->len + 1)
		return -ENOSPC;
	memcpy(out, name, n);
	for (unsigned i = 0; i < fp->len; i++)
		n += (size_t)sprintf(out + n, "%c%02X", i ? ':' : ' ', fp->md[i]);
	return (int)n;
}

static const char *const setup_words[] = {
	[RDTLS_SETUP_ACTPASS] = "actpass",
	[RDTLS_SETUP_ACTIVE] = "active",
	[RDTLS_SETUP_PASSIVE] = "passive",
	[RDTLS_SETUP_HOLDCONN] = "holdconn",
};

#define NSETUP (sizeof(setup_words) / sizeof(setup_words[0]))

int rdtls_setup_parse(const char *s, size_t len, enum rdtls_setup *out)
{
	s = trim(s, &len);
	for (unsigned i = RDTLS_SETUP_ACTPASS; i < NSETUP; i++)
		if (strlen(setup_words[i]) == len && !strncasecmp(s, setup_words[i], len)) {
			*out = (enum rdtls_setup)i;
			return 0;
		}
	return -EINVAL;
}

const char *rdtls_setup_word(enum rdtls_setup s)
{
	return (unsigned)s < NSETUP ? setup_words[s] : NULL;
}

static const struct {
	const char *word;
	enum rdtls_wish wish;
} wish_words[] = {
	{ "off", RDTLS_WISH_OFF },	   { "no", RDTLS_WISH_OFF },
	{ "disable", RDTLS_WISH_OFF },	   { "passive", RDTLS_WISH_PASSIVE },
	{ "active", RDTLS_WISH_ACTIVE },
};

int rdtls_wish_parse(const char *s, size_t len, enum rdtls_wish *out)
{
	for (size_t i = 0; i < sizeof(wish_words) / sizeof(wish_words[0]); i++)
		if (strlen(wish_words[i].word) == len && !memcmp(s, wish_words[i].word, len)) {
			*out = wish_words[i].wish;
			return 0;
		}
	return -EINVAL;
}

enum rdtls_setup rdtls_setup_offer(enum rdtls_wish w)
{
	switch (w) {
	case RDTLS_WISH_PASSIVE:
		return RDTLS_SETUP_PASSIVE;
	case RDTLS_WISH_ACTIVE:
		return RDTLS_SETUP_ACTIVE;
	case RDTLS_WISH_OFF:
		return RDTLS_SETUP_NONE;
	default:
		return RDTLS_SETUP_ACTPASS;
	}
}

static bool setup_valid(enum rdtls_setup s)
{
	return (unsigned)s <= RDTLS_SETUP_HOLDCONN;
}

int rdtls_setup_answer(enum rdtls_setup offer, enum rdtls_wish w, enum rdtls_role *role,
		       enum rdtls_setup *ours)
{
	if (!setup_valid(offer) || (unsigned)w > RDTLS_WISH_OFF)
		return -EINVAL;
	*role = RDTLS_ROLE_NONE;
	*ours = RDTLS_SETUP_NONE;
	if (w == RDTLS_WISH_OFF)
		return 0;
	switch (offer) {
	case RDTLS_SETUP_ACTPASS:
		*role = w == RDTLS_WISH_PASSIVE ? RDTLS_SERVER : RDTLS_CLIENT;
		break;
	case RDTLS_SETUP_NONE: /* RFC 4145 section 4: an offer without it is active */
	case RDTLS_SETUP_ACTIVE:
		*role = RDTLS_SERVER;
		break;
	case RDTLS_SETUP_PASSIVE:
		*role = RDTLS_CLIENT;
		break;
	case RDTLS_SETUP_HOLDCONN:
		*ours = RDTLS_SETUP_HOLDCONN;
		return 0;
	}
	*ours = *role == RDTLS_SERVER ? RDTLS_SETUP_PASSIVE : RDTLS_SETUP_ACTIVE;
	return 0;
}

int rdtls_setup_answered(enum rdtls_setup ours, enum rdtls_setup answer, enum rdtls_role *role)
{
	if (!setup_valid(ours) || !setup_valid(answer))
		return -EINVAL;
	*role = RDTLS_ROLE_NONE;
	if (ours == RDTLS_SETUP_NONE || ours == RDTLS_SETUP_HOLDCONN ||
	    answer == RDTLS_SETUP_HOLDCONN)
		return 0;
	switch (answer) {
	case RDTLS_SETUP_ACTIVE:
		if (ours == RDTLS_SETUP_ACTIVE)
			return -EPROTO;
		*role = RDTLS_SERVER;
		return 0;
	case RDTLS_SETUP_NONE: /* RFC 4145 section 4: an answer without it is passive */
	case RDTLS_SETUP_PASSIVE:
		if (ours == RDTLS_SETUP_PASSIVE)
			return -EPROTO;
		*role = RDTLS_CLIENT;
		return 0;
	default: /* actpass: RFC 5763 section 5, an answer MUST NOT */
		return -EPROTO;
	}
}
