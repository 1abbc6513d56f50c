// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "apps/relay/sdes.h"

/* The longest key and salt, 46 bytes, is 64 characters of base64. */
#define B64_MAX 64
#define RAW_MAX (B64_MAX / 4 * 3)

struct tok {
	const char *p;
	size_t n;
};

/* --- reasons: "'<culprit>' <why>", one line whatever the culprit holds --- */

/* Where an inline key starts in a culprit (a token out of its place), so
 * that it is cut there, "inline:...": keys stay out of the journal.  len
 * when there is none. */
static size_t key_at(const char *s, size_t len)
{
	for (size_t i = 0; i + 7 <= len; i++)
		if (!strncasecmp(s + i, "inline:", 7))
			return i + 7;
	return len + 1;
}

static void put(char *err, size_t errlen, size_t *k, const char *p, size_t n)
{
	for (size_t i = 0; i < n && *k + 1 < errlen; i++)
		err[(*k)++] = p[i];
	err[*k] = 0;
}

static int say(char *err, size_t errlen, int ret, const char *s, size_t len, const char *fmt,
	       ...) __attribute__((format(printf, 6, 7)));

static int say(char *err, size_t errlen, int ret, const char *s, size_t len, const char *fmt, ...)
{
	char why[SDES_ERR_MAX];
	size_t k = 0, wn;
	va_list ap;

	if (!errlen)
		return ret;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	wn = strlen(why);
	err[0] = 0;
	if (s) {
		/* The culprit gets what is left of err after the quotes, "...",
		 * the blank and why: the reason is never cut, a culprit is. */
		size_t cut = key_at(s, len), room = errlen > wn + 7 ? errlen - wn - 7 : 0, used = 0;
		bool shortened = cut <= len;

		put(err, errlen, &k, "'", 1);
		for (size_t i = 0; i < cut && i < len; i++) {
			unsigned char c = (unsigned char)s[i];
			char esc[5];
			size_t n = c >= 0x20 && c < 0x7f ? 1 : 4;

			if (used + n > room) {
				shortened = true;
				break;
			}
			if (n == 1)
				put(err, errlen, &k, s + i, 1);
			else
				put(err, errlen, &k, esc, (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c));
			used += n;
		}
		if (shortened)
			put(err, errlen, &k, "...", 3);
		put(err, errlen, &k, "' ", 2);
	}
	put(err, errlen, &k, why, wn);
	return ret;
}

/* --- words --- */

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool next_tok(const char **s, const char *end, struct tok *t)
{
	while (*s < end && is_wsp(**s))
		(*s)++;
	if (*s == end)
		return false;
	t->p = *s;
	while (*s < end && !is_wsp(**s))
		(*s)++;
	t->n = (size_t)(*s - t->p);
	return true;
}

static bool eq(const char *p, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(p, lit, n);
}

static bool eq_nocase(const char *p, size_t n, const char *lit)
{
	return n == strlen(lit) && !strncasecmp(p, lit, n);
}

static bool starts_nocase(const char *p, size_t n, const char *lit)
{
	return n >= strlen(lit) && !strncasecmp(p, lit, strlen(lit));
}

/* rtpengine: "either in all lower case or in all upper case". */
static bool eq_lower_or_upper(const char *p, size_t n, const char *lower)
{
	bool upper = true;

	if (n != strlen(lower))
		return false;
	if (!memcmp(p, lower, n))
		return true;
	for (size_t i = 0; i < n; i++)
		upper = upper && p[i] == toupper((unsigned char)lower[i]);
	return upper;
}

static bool all_digits(const char *p, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return false;
	return true;
}

/* Digits without a leading zero (but "0"), at most max of them. */
static bool number(const char *p, size_t n, size_t max)
{
	return all_digits(p, n) && n <= max && (n == 1 || p[0] != '0');
}

static uint64_t decimal(const char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(p[i] - '0');
	return v;
}

static bool suite_ok(int s)
{
	return s >= 0 && s < RSRTP_NSUITES;
}

/* RFC 4568 section 9.2: srtp-crypto-suite-ext. */
static bool suite_name(const char *p, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			return false;
	return true;
}

/* --- base64 --- */

static bool b64_char(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '/';
}

/*
 * s[0..n), with or without its '=' padding, into out.  EVP_DecodeBlock
 * wants whole quanta and counts the padding's zero bytes in its length, so
 * the padding is completed here and taken off after.  Returns 0, -EINVAL
 * (*bad: where the first character that is not base64 is, or n for a
 * length that is not whole bytes), -E2BIG (longer than any suite's key) or
 * -EDOM (bits set after the last byte: a second spelling of the same key,
 * found by encoding the result again).
 */
static int b64_decode(const char *s, size_t n, uint8_t out[RAW_MAX], size_t *outlen, size_t *bad)
{
	char quanta[B64_MAX + 4], again[B64_MAX + 4];
	size_t body = n, pad;
	int got, ret = -EDOM;

	while (body && n - body < 2 && s[body - 1] == '=')
		body--;
	for (size_t i = 0; i < body; i++) {
		if (!b64_char(s[i])) {
			*bad = i;
			return -EINVAL;
		}
	}
	*bad = n;
	if (body > B64_MAX)
		return -E2BIG;
	if (body % 4 == 1 || (body < n && n % 4))
		return -EINVAL;
	pad = (4 - body % 4) % 4;
	memcpy(quanta, s, body);
	memset(quanta + body, '=', pad);
	got = EVP_DecodeBlock(out, (const unsigned char *)quanta, (int)(body + pad));
	if (got < 0 || (size_t)got < pad) {
		ret = -EINVAL;
		goto out;
	}
	*outlen = (size_t)got - pad;
	EVP_EncodeBlock((unsigned char *)again, out, (int)*outlen);
	if (!memcmp(again, quanta, body))
		ret = 0;
out:
	OPENSSL_cleanse(quanta, sizeof(quanta));
	OPENSSL_cleanse(again, sizeof(again));
	return ret;
}

/* --- a=crypto --- */

static int take_key(const char *p, size_t n, struct rsrtp_key *k, char *err, size_t errlen)
{
	const struct rsrtp_suite_info *si = &rsrtp_suites[k->suite];
	uint8_t raw[RAW_MAX];
	size_t got = 0, bad;
	int ret = b64_decode(p, n, raw, &got, &bad);

	if (ret == -EINVAL && bad < n)
		ret = say(err, errlen, -EINVAL, p + bad, 1, "at %zu of the inline key is not base64",
			  bad);
	else if (ret == -EINVAL)
		ret = say(err, errlen, -EINVAL, NULL, 0,
			  "the inline key's %zu characters are not base64 of whole bytes", n);
	else if (ret == -E2BIG)
		ret = say(err, errlen, -EINVAL, NULL, 0,
			  "the inline key's %zu characters are more than any suite's key", n);
	else if (ret == -EDOM)
		ret = say(err, errlen, -EINVAL, NULL, 0,
			  "the inline key's last character has bits past its last byte");
	else if (got != (size_t)si->key_len + si->salt_len)
		ret = say(err, errlen, -EINVAL, si->name, strlen(si->name),
			  "takes %u bytes of key and salt (%u and %u), the inline key has %zu",
			  si->key_len + si->salt_len, si->key_len, si->salt_len, got);
	if (!ret) {
		memcpy(k->key, raw, si->key_len);
		memcpy(k->salt, raw + si->key_len, si->salt_len);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	return ret;
}

/* RFC 4568 section 6.1: a decimal or 2^n, non-zero, no leading zero, and
 * within the suite's 2^48. */
static int take_lifetime(const char *p, size_t n, uint64_t *life, char *err, size_t errlen)
{
	if (n > 2 && p[0] == '2' && p[1] == '^' && number(p + 2, n - 2, 2) &&
	    decimal(p + 2, n - 2) <= 48) {
		*life = 1ull << decimal(p + 2, n - 2);
		return 0;
	}
	if (number(p, n, 15) && decimal(p, n) && decimal(p, n) <= RSRTP_LIFETIME_MAX) {
		*life = decimal(p, n);
		return 0;
	}
	return say(err, errlen, -EINVAL, p, n, "is not a key lifetime (1 to 2^48, no leading zero)");
}

static bool is_mki(const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n);
	size_t vn, ln;

	if (!colon)
		return false;
	vn = (size_t)(colon - p);
	ln = n - vn - 1;
	return number(p, vn, 20) && number(colon + 1, ln, 3) && decimal(colon + 1, ln) >= 1 &&
	       decimal(colon + 1, ln) <= 128;
}

/* key-info: BASE64 ["|" lifetime] ["|" mki] */
static int take_key_info(const char *p, size_t n, struct rsrtp_key *k, char *err, size_t errlen)
{
	struct tok f[3];
	unsigned nf = 0;
	const char *end = p + n;
	int ret;

	for (const char *at = p;; at++) {
		const char *bar = memchr(at, '|', (size_t)(end - at));

		if (nf == 3)
			return say(err, errlen, -EINVAL, NULL, 0,
				   "the inline key has more than key|lifetime|MKI");
		f[nf].p = at;
		f[nf++].n = (size_t)((bar ? bar : end) - at);
		if (!bar)
			break;
		at = bar;
	}
	ret = take_key(f[0].p, f[0].n, k, err, errlen);
	for (unsigned i = 1; !ret && i < nf; i++) {
		if (memchr(f[i].p, ':', f[i].n)) {
			if (!is_mki(f[i].p, f[i].n) || i + 1 < nf)
				return say(err, errlen, -EINVAL, f[i].p, f[i].n,
					   "is not an MKI (VALUE:LENGTH, a length of 1 to 128)");
			return say(err, errlen, -ENOTSUP, f[i].p, f[i].n,
				   "is a master key identifier: rtd takes keys without one");
		}
		if (i == 2)
			return say(err, errlen, -EINVAL, f[i].p, f[i].n,
				   "is not an MKI (VALUE:LENGTH, a length of 1 to 128)");
		ret = take_lifetime(f[i].p, f[i].n, &k->lifetime, err, errlen);
	}
	return ret;
}

static int take_key_params(const struct tok *t, struct rsrtp_key *k, char *err, size_t errlen)
{
	const char *colon = memchr(t->p, ':', t->n);
	size_t mn;

	if (!colon)
		return say(err, errlen, -EINVAL, NULL, 0,
			   "the key parameter is not METHOD:INFO (inline:...)");
	mn = (size_t)(colon - t->p);
	if (memchr(t->p, ';', t->n))
		return say(err, errlen, -ENOTSUP, NULL, 0,
			   "several master keys (';'): rtd takes one, without an MKI");
	if (!eq_nocase(t->p, mn, "inline"))
		return say(err, errlen, -ENOTSUP, t->p, mn,
			   "is a key method rtd does not have (inline only)");
	return take_key_info(colon + 1, t->n - mn - 1, k, err, errlen);
}

/* RFC 4568 section 6.3: what rtd cannot honour is refused, so that the
 * offer's next line is tried; hints and optional ones are ignored. */
static int take_session_param(const struct tok *t, char *err, size_t errlen)
{
	const char *p = t->p;
	size_t n = t->n;

	if (p[0] == '-')
		return 0;
	if (eq_nocase(p, n, "UNENCRYPTED_SRTP") || eq_nocase(p, n, "UNENCRYPTED_SRTCP") ||
	    eq_nocase(p, n, "UNAUTHENTICATED_SRTP"))
		return say(err, errlen, -ENOTSUP, p, n,
			   "is not done: rtd encrypts and authenticates all SRTP and SRTCP");
	if (starts_nocase(p, n, "KDR="))
		return say(err, errlen, -ENOTSUP, p, n,
			   "is not done: rtd derives session keys once (a rate of 0)");
	if (starts_nocase(p, n, "FEC_KEY="))
		return say(err, errlen, -ENOTSUP, "FEC_KEY", 7,
			   "keys a separate FEC stream, which rtd does not relay");
	if (starts_nocase(p, n, "FEC_ORDER=")) {
		if (eq_nocase(p + 10, n - 10, "FEC_SRTP") || eq_nocase(p + 10, n - 10, "SRTP_FEC"))
			return 0;
		return say(err, errlen, -EINVAL, p, n, "is not FEC_ORDER=FEC_SRTP or SRTP_FEC");
	}
	if (starts_nocase(p, n, "WSH=")) {
		if (number(p + 4, n - 4, 19) && n - 4 >= 2 && decimal(p + 4, n - 4) >= 64)
			return 0;
		return say(err, errlen, -EINVAL, p, n, "is not a window size hint (64 or more)");
	}
	return say(err, errlen, -ENOTSUP, p, n,
		   "is a session parameter rtd does not know, not marked optional with '-'");
}

static int bad_char(const char *s, size_t len, char *err, size_t errlen)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_wsp((char)c) && (c < 0x21 || c > 0x7e))
			return say(err, errlen, -EINVAL, s + i, 1,
				   "at %zu is not a printing character", i);
	}
	return 0;
}

int sdes_parse(const char *s, size_t len, struct sdes_crypto *c, char *err, size_t errlen)
{
	const char *at = s, *end = s + len;
	struct tok tag, suite, key, param;
	int ret, id;

	memset(c, 0, sizeof(*c));
	if (errlen)
		err[0] = 0;
	ret = bad_char(s, len, err, errlen);
	if (ret)
		return ret;
	if (!next_tok(&at, end, &tag))
		return say(err, errlen, -EINVAL, NULL, 0, "an empty a=crypto value");
	if (!number(tag.p, tag.n, 9))
		return say(err, errlen, -EINVAL, tag.p, tag.n,
			   "is not a tag (1 to 9 digits, no leading zero)");
	if (!next_tok(&at, end, &suite))
		return say(err, errlen, -EINVAL, NULL, 0, "no crypto suite after the tag");
	if (!suite_name(suite.p, suite.n))
		return say(err, errlen, -EINVAL, suite.p, suite.n, "is not a crypto suite name");
	id = rsrtp_suite_by_name(suite.p, suite.n);
	if (id < 0)
		return say(err, errlen, -ENOTSUP, suite.p, suite.n,
			   "is a crypto suite rtd does not have");
	c->tag = (uint32_t)decimal(tag.p, tag.n);
	c->key.suite = (enum rsrtp_suite)id;
	if (!next_tok(&at, end, &key))
		ret = say(err, errlen, -EINVAL, NULL, 0, "no key parameter after the suite");
	else
		ret = take_key_params(&key, &c->key, err, errlen);
	while (!ret && next_tok(&at, end, &param))
		ret = take_session_param(&param, err, errlen);
	if (ret)
		OPENSSL_cleanse(c, sizeof(*c));
	return ret;
}

int sdes_format(char *out, size_t cap, uint32_t tag, const struct rsrtp_key *k, bool pad)
{
	const struct rsrtp_suite_info *si;
	char b64[B64_MAX + 1], life[24] = "", tmp[SDES_VALUE_MAX];
	uint8_t raw[RAW_MAX];
	int bn, n;

	if (tag > SDES_TAG_MAX || !suite_ok((int)k->suite) || k->lifetime > RSRTP_LIFETIME_MAX)
		return -EINVAL;
	si = &rsrtp_suites[k->suite];
	memcpy(raw, k->key, si->key_len);
	memcpy(raw + si->key_len, k->salt, si->salt_len);
	bn = EVP_EncodeBlock((unsigned char *)b64, raw, si->key_len + si->salt_len);
	while (!pad && bn > 0 && b64[bn - 1] == '=')
		bn--;
	b64[bn] = 0;
	if (k->lifetime && !(k->lifetime & (k->lifetime - 1)))
		snprintf(life, sizeof(life), "|2^%d", __builtin_ctzll(k->lifetime));
	else if (k->lifetime)
		snprintf(life, sizeof(life), "|%llu", (unsigned long long)k->lifetime);
	n = snprintf(tmp, sizeof(tmp), "%u %s inline:%s%s", tag, si->name, b64, life);
	if (n < 0 || (size_t)n >= cap || (size_t)n >= sizeof(tmp)) {
		n = -ENOSPC;
	} else {
		memcpy(out, tmp, (size_t)n + 1);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(b64, sizeof(b64));
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return n;
}

/* --- rtpengine's SDES flags --- */

static uint8_t bit(int suite)
{
	return (uint8_t)(1u << suite);
}

/* no-NAME, only-NAME */
static int flag_suite(struct sdes_flags *f, const char *p, size_t n, bool only, char *err,
		      size_t errlen)
{
	int s;

	if (!suite_name(p, n))
		return say(err, errlen, -EINVAL, p, n, "is not a crypto suite name");
	s = rsrtp_suite_by_name(p, n);
	if (only)
		f->only_given = true;
	if (s < 0)
		return say(err, errlen, SDES_IGNORED, p, n,
			   only ? "is no crypto suite of rtd's: there is none of it to offer"
				: "is no crypto suite of rtd's: there is none of it to leave out");
	if (only)
		f->only |= bit(s);
	else
		f->no |= bit(s);
	return 0;
}

/* order:A;B;... and offerer_pref:A;B;... (a trailing ';' allowed), the
 * last of each given winning. */
static int flag_list(const char *p, size_t n, uint8_t list[RSRTP_NSUITES], uint8_t *nlist,
		     char *err, size_t errlen)
{
	uint8_t got[RSRTP_NSUITES], k = 0, seen = 0;
	const char *end = p + n, *other = NULL;
	size_t other_n = 0;

	for (const char *at = p; at < end;) {
		const char *semi = memchr(at, ';', (size_t)(end - at));
		size_t len = (size_t)((semi ? semi : end) - at);
		int s;

		if (len && !suite_name(at, len))
			return say(err, errlen, -EINVAL, at, len, "is not a crypto suite name");
		s = len ? rsrtp_suite_by_name(at, len) : -ENOENT;
		if (s >= 0 && !(seen & bit(s))) {
			seen |= bit(s);
			got[k++] = (uint8_t)s;
		} else if (s < 0 && len && !other) {
			other = at;
			other_n = len;
		}
		at += len + 1;
	}
	memcpy(list, got, k);
	*nlist = k;
	if (other)
		return say(err, errlen, SDES_IGNORED, other, other_n,
			   "is no crypto suite of rtd's: left out of the list");
	return 0;
}

int sdes_flag(struct sdes_flags *f, const char *w, size_t len, char *err, size_t errlen)
{
	if (errlen)
		err[0] = 0;
	if (len >= 5 && !memcmp(w, "SDES-", 5)) {
		w += 5;
		len -= 5;
	}
	if (eq(w, len, "off") || eq(w, len, "no") || eq(w, len, "disable"))
		f->off = true;
	else if (eq(w, len, "nonew"))
		f->nonew = true;
	else if (eq(w, len, "pad"))
		f->pad = true;
	else if (eq(w, len, "lifetime"))
		f->lifetime = true;
	else if (eq(w, len, "static"))
		f->keep_static = true;
	else if (eq(w, len, "prefer"))
		f->prefer = true;
	else if (eq_lower_or_upper(w, len, "encrypted_srtp") ||
		 eq_lower_or_upper(w, len, "encrypted_srtcp") ||
		 eq_lower_or_upper(w, len, "authenticated_srtp"))
		return 0;
	else if (eq_lower_or_upper(w, len, "unencrypted_srtp") ||
		 eq_lower_or_upper(w, len, "unencrypted_srtcp") ||
		 eq_lower_or_upper(w, len, "unauthenticated_srtp"))
		return say(err, errlen, SDES_IGNORED, w, len,
			   "is ignored: rtd encrypts and authenticates all SRTP and SRTCP");
	else if (len > 3 && !memcmp(w, "no-", 3))
		return flag_suite(f, w + 3, len - 3, false, err, errlen);
	else if (len > 5 && !memcmp(w, "only-", 5))
		return flag_suite(f, w + 5, len - 5, true, err, errlen);
	else if (len >= 6 && !memcmp(w, "order:", 6))
		return flag_list(w + 6, len - 6, f->order, &f->norder, err, errlen);
	else if (len >= 13 && !memcmp(w, "offerer_pref:", 13))
		return flag_list(w + 13, len - 13, f->pref, &f->npref, err, errlen);
	else
		return say(err, errlen, -EINVAL, w, len, "is not an SDES flag");
	return 0;
}

bool sdes_allowed(const struct sdes_flags *f, enum rsrtp_suite s)
{
	if (!suite_ok((int)s))
		return false;
	if (f->only_given)
		return f->only & bit(s);
	return !(f->no & bit(s));
}

static unsigned add(enum rsrtp_suite *out, unsigned k, enum rsrtp_suite s)
{
	for (unsigned i = 0; i < k; i++)
		if (out[i] == s)
			return k;
	out[k] = s;
	return k + 1;
}

unsigned sdes_offer(const struct sdes_flags *f, const enum rsrtp_suite *offered, unsigned n,
		    enum rsrtp_suite out[RSRTP_NSUITES])
{
	enum rsrtp_suite all[RSRTP_NSUITES];
	unsigned k = 0, m = 0;

	if (f->off)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (suite_ok((int)offered[i]) && (f->nonew || sdes_allowed(f, offered[i])))
			k = add(all, k, offered[i]);
	for (int s = 0; !f->nonew && s < RSRTP_NSUITES; s++)
		if (sdes_allowed(f, s))
			k = add(all, k, s);
	for (unsigned i = 0; i < f->norder; i++)
		for (unsigned j = 0; j < k; j++)
			if (all[j] == f->order[i])
				m = add(out, m, all[j]);
	for (unsigned j = 0; j < k; j++)
		m = add(out, m, all[j]);
	return m;
}

int sdes_answer(const struct sdes_flags *f, const struct sdes_crypto *lines, unsigned n)
{
	if (!n)
		return -ENOENT;
	for (unsigned p = 0; p < f->npref; p++)
		for (unsigned i = 0; i < n; i++)
			if (lines[i].key.suite == f->pref[p] && sdes_allowed(f, lines[i].key.suite))
				return (int)i;
	for (unsigned i = 0; i < n; i++)
		if (sdes_allowed(f, lines[i].key.suite))
			return (int)i;
	return 0;
}

int sdes_key_new(const struct sdes_flags *f, enum rsrtp_suite suite, struct rsrtp_key *k)
{
	int ret = rsrtp_key_new(k, suite);

	if (!ret && f->lifetime)
		k->lifetime = SDES_LIFETIME;
	return ret;
}
