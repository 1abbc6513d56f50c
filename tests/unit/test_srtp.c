// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rsrtp held against RFC 3711's and RFC 7714's vectors and against Debian's
 * libsrtp2, the independent reference, both ways for every suite libsrtp2
 * has here (a suite it lacks is skipped, saying so); the replay window, the
 * ROC across a wrap, SSRC slots, lifetimes, every flipped bit and every
 * truncation; and no allocation on the per-packet calls, counted over
 * thousands of packets, with the time they take printed for the README.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <srtp2/srtp.h>

#include "apps/relay/srtp.h"
#include "tests/unit/srtp_lib.h"

/* --- counting allocations --- */

static volatile int counting;
static volatile unsigned long nallocs;

#if defined(__SANITIZE_ADDRESS__)
/*
 * Under ASan the allocator is ASan's: a malloc defined here forwarding to
 * __libc_malloc would hand ASan's free() blocks it never made.  ASan calls
 * this hook for every malloc, calloc and realloc, OpenSSL's included.
 */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
					      void (*free_hook)(const volatile void *));

static void on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	if (counting)
		nallocs++;
}

static void on_free(const volatile void *p)
{
	(void)p;
}

static void count_start(void)
{
	static bool hooked;

	if (!hooked)
		__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
	hooked = true;
	nallocs = 0;
	counting = 1;
}
#define BUILD_NOTE " (ASan build)"
#else
/* Without ASan: glibc's allocator under a counting wrapper. */
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t a, size_t b);
void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n)
{
	if (counting)
		nallocs++;
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	if (counting)
		nallocs++;
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	if (counting)
		nallocs++;
	return __libc_realloc(p, n);
}

static void count_start(void)
{
	nallocs = 0;
	counting = 1;
}
#define BUILD_NOTE ""
#endif

static unsigned long count_stop(void)
{
	counting = 0;
	return nallocs;
}

/* --- bytes --- */

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\n')
			continue;
		v = *s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/* RTP: V=2, PT 0, a payload of n bytes that depends on seq and ssrc. */
static size_t rtp_make(uint8_t *p, uint16_t seq, uint32_t ssrc, size_t n)
{
	p[0] = 0x80;
	p[1] = 0x00;
	wr16(p + 2, seq);
	wr32(p + 4, seq * 160u);
	wr32(p + 8, ssrc);
	for (size_t i = 0; i < n; i++)
		p[12 + i] = (uint8_t)(i * 7 + seq + ssrc);
	return 12 + n;
}

/* RTCP: a sender report of ssrc with `words` 32-bit words after the SSRC. */
static size_t rtcp_make(uint8_t *p, uint32_t ssrc, unsigned words, unsigned salt)
{
	p[0] = 0x80;
	p[1] = 200;
	wr16(p + 2, (uint16_t)(words + 1));
	wr32(p + 4, ssrc);
	for (size_t i = 0; i < 4u * words; i++)
		p[8 + i] = (uint8_t)(i * 13 + salt);
	return 8 + 4u * words;
}

static struct rsrtp_key test_key(enum rsrtp_suite suite, uint8_t seed)
{
	struct rsrtp_key k = { .suite = suite };

	for (int i = 0; i < RSRTP_KEY_MAX; i++)
		k.key[i] = (uint8_t)(seed + 3 * i);
	for (int i = 0; i < rsrtp_suites[suite].salt_len; i++)
		k.salt[i] = (uint8_t)(seed ^ (0x5a + i));
	return k;
}

static void ctx_new(struct rsrtp_ctx *c, const struct rsrtp_key *k, enum rsrtp_dir dir)
{
	assert_int_equal(rsrtp_init(c, k, dir), 0);
}

/* --- libsrtp2, the reference --- */

static const char *lib_missing[RSRTP_NSUITES];

static srtp_err_status_t lib_try(srtp_t *s, const struct rsrtp_key *k, bool inbound)
{
	uint8_t keybuf[RSRTP_KEY_MAX + RSRTP_SALT_MAX];
	srtp_policy_t pol;

	lib_policy(&pol, k, keybuf, inbound);
	return srtp_create(s, &pol);
}

static srtp_t lib_new(const struct rsrtp_key *k, bool inbound)
{
	srtp_t s = NULL;

	assert_int_equal(lib_try(&s, k, inbound), srtp_err_status_ok);
	return s;
}

/* Which suites this libsrtp2 has: a suite it cannot create is skipped by
 * the interop tests, which print why. */
static int lib_setup(void **state)
{
	(void)state;
	if (srtp_init() != srtp_err_status_ok)
		return -1;
	for (int s = 0; s < RSRTP_NSUITES; s++) {
		struct rsrtp_key k = test_key(s, 1);
		srtp_err_status_t st;
		srtp_t x = NULL;

		st = lib_try(&x, &k, false);
		if (st == srtp_err_status_ok)
			srtp_dealloc(x);
		else
			lib_missing[s] = st == srtp_err_status_bad_param ? "bad_param" : "an error";
	}
	return 0;
}

static int lib_teardown(void **state)
{
	(void)state;
	srtp_shutdown();
	return 0;
}

static void need_lib(enum rsrtp_suite s)
{
	if (!lib_missing[s])
		return;
	print_message("skip: libsrtp2 %s has no %s (srtp_create: %s)\n", srtp_get_version_string(),
		      rsrtp_suites[s].name, lib_missing[s]);
	skip();
}

static int lib_protect(srtp_t s, uint8_t *p, size_t *n, bool rtcp)
{
	int len = (int)*n;
	srtp_err_status_t st = rtcp ? srtp_protect_rtcp(s, p, &len) : srtp_protect(s, p, &len);

	*n = (size_t)len;
	return st;
}

static int lib_unprotect(srtp_t s, uint8_t *p, size_t *n, bool rtcp)
{
	int len = (int)*n;
	srtp_err_status_t st = rtcp ? srtp_unprotect_rtcp(s, p, &len) : srtp_unprotect(s, p, &len);

	*n = (size_t)len;
	return st;
}

#define BUF 1500

/* --- the RFCs' vectors --- */

static void test_rfc3711_b3_derives_the_cipher_key_salt_and_auth_key(void **state)
{
	struct rsrtp_key k = { .suite = RSRTP_AES_CM_128_HMAC_SHA1_80 };
	struct rsrtp_session_keys s;
	uint8_t want[32];

	(void)state;
	unhex("E1F97A0D3E018BE0D64FA32C06DE4139", k.key, sizeof(k.key));
	unhex("0EC675AD498AFEEBB6960B3AABE6", k.salt, sizeof(k.salt));
	assert_int_equal(rsrtp_derive(&k, &s), 0);
	unhex("C61E7A93744F39EE10734AFE3FF7A087", want, sizeof(want));
	assert_memory_equal(s.rtp_key, want, 16);
	unhex("30CBBC08863D8C85D49DB34A9AE1", want, sizeof(want));
	assert_memory_equal(s.rtp_salt, want, 14);
	/* The RFC lists 94 bytes for any auth function; HMAC-SHA1 takes 20. */
	unhex("CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA4", want, sizeof(want));
	assert_memory_equal(s.rtp_auth, want, 20);
}

/* B.2: with SSRC, ROC and SEQ all zero the IV is the salt shifted, and a
 * payload of zeros encrypts to the keystream itself. */
static void test_rfc3711_b2_a_zero_payload_encrypts_to_the_keystream(void **state)
{
	struct rsrtp_session_keys s = { 0 };
	uint8_t p[BUF] = { 0x80 }, want[48];
	struct rsrtp_ctx c;
	size_t n = 12 + 48;

	(void)state;
	unhex("2B7E151628AED2A6ABF7158809CF4F3C", s.rtp_key, sizeof(s.rtp_key));
	unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD", s.rtp_salt, sizeof(s.rtp_salt));
	unhex("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB"
	      "41E95B3BB0A2E8DD477901E4FCA894C0",
	      want, sizeof(want));
	assert_int_equal(rsrtp_init_keys(&c, RSRTP_AES_CM_128_HMAC_SHA1_80, RSRTP_PROTECT, &s, 0), 0);
	assert_int_equal(rsrtp_protect(&c, p, &n, sizeof(p)), 0);
	assert_int_equal(n, 12 + 48 + 10);
	assert_memory_equal(p + 12, want, 48);
	rsrtp_fini(&c);
}

/* RFC 7714 sections 16 and 17: the session key and salt given directly;
 * AES-128 takes the key's first half. */
static const char rfc7714_key[] = "000102030405060708090a0b0c0d0e0f"
				  "101112131415161718191a1b1c1d1e1f";
static const char rfc7714_salt[] = "517569642070726f2071756f";
static const char rfc7714_rtp[] = "8040f17b8041f8d35501a0b2"
				  "47616c6c696120657374206f6d6e69732064697669736120"
				  "696e207061727465732074726573";
static const char rfc7714_rtcp[] = "81c8000d4d6172734e5450314e545032525450200000042a"
				   "0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";

static void rfc7714_ctx(struct rsrtp_ctx *c, enum rsrtp_suite suite, enum rsrtp_dir dir)
{
	struct rsrtp_session_keys s = { 0 };

	unhex(rfc7714_key, s.rtp_key, sizeof(s.rtp_key));
	memcpy(s.rtcp_key, s.rtp_key, sizeof(s.rtcp_key));
	unhex(rfc7714_salt, s.rtp_salt, sizeof(s.rtp_salt));
	memcpy(s.rtcp_salt, s.rtp_salt, sizeof(s.rtcp_salt));
	assert_int_equal(rsrtp_init_keys(c, suite, dir, &s, 0), 0);
}

static void check_rfc7714_rtp(enum rsrtp_suite suite, const char *protected)
{
	uint8_t p[BUF], plain[BUF], want[BUF];
	size_t n = unhex(rfc7714_rtp, p, sizeof(p)), plen = n, wlen;
	struct rsrtp_ctx tx, rx;

	memcpy(plain, p, n);
	wlen = unhex(protected, want, sizeof(want));
	rfc7714_ctx(&tx, suite, RSRTP_PROTECT);
	rfc7714_ctx(&rx, suite, RSRTP_UNPROTECT);
	assert_int_equal(rsrtp_protect(&tx, p, &n, sizeof(p)), 0);
	assert_int_equal(n, wlen);
	assert_memory_equal(p, want, wlen);
	assert_int_equal(rsrtp_unprotect(&rx, p, &n), 0);
	assert_int_equal(n, plen);
	assert_memory_equal(p, plain, plen);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
}

static void test_rfc7714_16_aead_aes_128_gcm_rtp_vector(void **state)
{
	(void)state;
	check_rfc7714_rtp(RSRTP_AEAD_AES_128_GCM,
			  "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd5"
			  "0d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce");
}

static void test_rfc7714_16_aead_aes_256_gcm_rtp_vector(void **state)
{
	(void)state;
	check_rfc7714_rtp(RSRTP_AEAD_AES_256_GCM,
			  "8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab1801238"
			  "9a58e2f3b50b2a0276ffae0f1ba63799b87b7aa3db36dfffd6b0f9bb7878d7a76c13");
}

/* Section 17's packet carries SRTCP index 0x5d4: as many sent before it. */
static void check_rfc7714_rtcp(enum rsrtp_suite suite, const char *protected)
{
	uint8_t p[BUF], plain[BUF], want[BUF];
	size_t n = unhex(rfc7714_rtcp, p, sizeof(p)), plen = n, wlen;
	struct rsrtp_ctx tx, rx;

	memcpy(plain, p, n);
	wlen = unhex(protected, want, sizeof(want));
	rfc7714_ctx(&tx, suite, RSRTP_PROTECT);
	rfc7714_ctx(&rx, suite, RSRTP_UNPROTECT);
	for (unsigned i = 0; i < 0x5d4; i++) {
		uint8_t q[BUF];
		size_t m = plen;

		memcpy(q, plain, plen);
		assert_int_equal(rsrtp_protect_rtcp(&tx, q, &m, sizeof(q)), 0);
	}
	assert_int_equal(rsrtp_protect_rtcp(&tx, p, &n, sizeof(p)), 0);
	assert_int_equal(n, wlen);
	assert_memory_equal(p, want, wlen);
	assert_int_equal(rsrtp_unprotect_rtcp(&rx, p, &n), 0);
	assert_int_equal(n, plen);
	assert_memory_equal(p, plain, plen);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
}

static void test_rfc7714_17_aead_aes_128_gcm_rtcp_vector(void **state)
{
	(void)state;
	check_rfc7714_rtcp(RSRTP_AEAD_AES_128_GCM,
			   "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32d"
			   "c676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf872"
			   "45d9eade800005d4");
}

static void test_rfc7714_17_aead_aes_256_gcm_rtcp_vector(void **state)
{
	(void)state;
	check_rfc7714_rtcp(RSRTP_AEAD_AES_256_GCM,
			   "81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50"
			   "a2eaa5c1110555be8415f658c61de0476f1b6fad1d1eb30c4446839f57ff6f6c"
			   "b26ac3be800005d4");
}

/* --- the suite table and keys --- */

static void test_suites_are_found_by_sdes_name_and_dtls_srtp_profile(void **state)
{
	static const uint16_t profiles[] = { 0x0001, 0x0002, 0x0007, 0x0008 };

	(void)state;
	for (int s = 0; s < RSRTP_NSUITES; s++) {
		const char *name = rsrtp_suites[s].name;

		assert_int_equal(rsrtp_suite_by_name(name, strlen(name)), s);
		assert_int_equal(rsrtp_suite_by_profile(profiles[s]), s);
	}
	assert_int_equal(rsrtp_suite_by_name("aes_cm_128_hmac_sha1_80", 23),
			 RSRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(rsrtp_suite_by_name("AES_CM_128_HMAC_SHA1_8", 22), -ENOENT);
	assert_int_equal(rsrtp_suite_by_name("F8_128_HMAC_SHA1_80", 19), -ENOENT);
	assert_int_equal(rsrtp_suite_by_profile(0x0005), -ENOENT);
	assert_int_equal(rsrtp_suites[RSRTP_AES_CM_128_HMAC_SHA1_32].rtp_tag_len, 4);
	assert_int_equal(rsrtp_suites[RSRTP_AES_CM_128_HMAC_SHA1_32].rtcp_tag_len, 10);
	assert_int_equal(rsrtp_suites[RSRTP_AEAD_AES_256_GCM].key_len, 32);
	assert_int_equal(rsrtp_suites[RSRTP_AEAD_AES_256_GCM].salt_len, 12);
}

static void test_fresh_keys_differ_and_fill_only_their_suites_lengths(void **state)
{
	static const uint8_t zero[RSRTP_KEY_MAX];
	struct rsrtp_key a, b;

	(void)state;
	for (int s = 0; s < RSRTP_NSUITES; s++) {
		const struct rsrtp_suite_info *si = &rsrtp_suites[s];

		assert_int_equal(rsrtp_key_new(&a, s), 0);
		assert_int_equal(rsrtp_key_new(&b, s), 0);
		assert_int_equal(a.suite, s);
		assert_true(memcmp(a.key, b.key, si->key_len) || memcmp(a.salt, b.salt, si->salt_len));
		assert_memory_equal(a.key + si->key_len, zero, RSRTP_KEY_MAX - si->key_len);
		assert_memory_equal(a.salt + si->salt_len, zero, RSRTP_SALT_MAX - si->salt_len);
		assert_true(a.lifetime == 0);
	}
	assert_int_equal(rsrtp_key_new(&a, RSRTP_NSUITES), -EINVAL);
}

/* --- against libsrtp2 --- */

/* 300 packets from seq 65400: the ROC steps to 1 after 136 of them. */
#define WRAP_FROM 65400
#define WRAP_PACKETS 300

static void libsrtp2_rtp_unprotects_here_and_back(enum rsrtp_suite suite)
{
	struct rsrtp_key k = test_key(suite, 7);
	struct rsrtp_ctx tx, rx;
	srtp_t lib_tx, lib_tx2, lib_rx;

	need_lib(suite);
	lib_tx = lib_new(&k, false);
	lib_tx2 = lib_new(&k, false);
	lib_rx = lib_new(&k, true);
	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	for (unsigned i = 0; i < WRAP_PACKETS; i++) {
		uint8_t plain[BUF], a[BUF], b[BUF];
		size_t n = rtp_make(plain, (uint16_t)(WRAP_FROM + i), 0x11223344, i % 200);
		size_t na = n, nb = n;

		/* libsrtp2 to rsrtp */
		memcpy(a, plain, n);
		assert_int_equal(lib_protect(lib_tx, a, &na, false), srtp_err_status_ok);
		assert_int_equal(rsrtp_unprotect(&rx, a, &na), 0);
		assert_int_equal(na, n);
		assert_memory_equal(a, plain, n);
		/* rsrtp to libsrtp2, byte for byte what libsrtp2 sends */
		memcpy(a, plain, n);
		memcpy(b, plain, n);
		na = n;
		assert_int_equal(rsrtp_protect(&tx, a, &na, sizeof(a)), 0);
		assert_int_equal(lib_protect(lib_tx2, b, &nb, false), srtp_err_status_ok);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na);
		assert_int_equal(lib_unprotect(lib_rx, a, &na, false), srtp_err_status_ok);
		assert_int_equal(na, n);
		assert_memory_equal(a, plain, n);
	}
	/* The wrap happened: the receiver's ROC is 1. */
	assert_true(rx.slot[rx.last].rtp_index >> 16 == 1);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
	srtp_dealloc(lib_tx);
	srtp_dealloc(lib_tx2);
	srtp_dealloc(lib_rx);
}

/* SRTCP both ways; libsrtp2 sends its first index as 1, RFC 3711 section
 * 3.4 and rsrtp as 0, so the bytes differ and each side unprotects the
 * other's instead. */
static void libsrtp2_rtcp_unprotects_here_and_back(enum rsrtp_suite suite)
{
	struct rsrtp_key k = test_key(suite, 9);
	struct rsrtp_ctx tx, rx;
	srtp_t lib_tx, lib_rx;

	need_lib(suite);
	lib_tx = lib_new(&k, false);
	lib_rx = lib_new(&k, true);
	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	for (unsigned i = 0; i < 100; i++) {
		uint8_t plain[BUF], a[BUF];
		size_t n = rtcp_make(plain, 0xcafe0000 + i % 3, i % 40, i), na = n;

		memcpy(a, plain, n);
		assert_int_equal(lib_protect(lib_tx, a, &na, true), srtp_err_status_ok);
		assert_int_equal(rsrtp_unprotect_rtcp(&rx, a, &na), 0);
		assert_int_equal(na, n);
		assert_memory_equal(a, plain, n);
		memcpy(a, plain, n);
		na = n;
		assert_int_equal(rsrtp_protect_rtcp(&tx, a, &na, sizeof(a)), 0);
		assert_int_equal(na, n + 4 + rsrtp_suites[suite].rtcp_tag_len);
		assert_int_equal(lib_unprotect(lib_rx, a, &na, true), srtp_err_status_ok);
		assert_int_equal(na, n);
		assert_memory_equal(a, plain, n);
	}
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
	srtp_dealloc(lib_tx);
	srtp_dealloc(lib_rx);
}

/* Three SSRCs interleaved on one ctx, each with its own SEQ and ROC, from
 * libsrtp2; a replay of each is refused, the others unaffected. */
static void several_ssrcs_share_one_ctx(enum rsrtp_suite suite)
{
	static const uint32_t ssrcs[] = { 0x0a0a0a0a, 0x0b0b0b0b, 0x0c0c0c0c };
	static const uint16_t first[] = { 100, 65500, 30000 };
	struct rsrtp_key k = test_key(suite, 11);
	uint8_t last[3][BUF];
	size_t lastn[3];
	struct rsrtp_ctx rx;
	srtp_t lib_tx;

	need_lib(suite);
	lib_tx = lib_new(&k, false);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	for (unsigned i = 0; i < 200; i++) {
		unsigned j = i % 3;
		uint8_t plain[BUF], a[BUF];
		size_t n = rtp_make(plain, (uint16_t)(first[j] + i / 3), ssrcs[j], 20 + j), na = n;

		memcpy(a, plain, n);
		assert_int_equal(lib_protect(lib_tx, a, &na, false), srtp_err_status_ok);
		memcpy(last[j], a, na);
		lastn[j] = na;
		assert_int_equal(rsrtp_unprotect(&rx, a, &na), 0);
		assert_memory_equal(a, plain, n);
	}
	for (unsigned j = 0; j < 3; j++) {
		size_t n = lastn[j];

		assert_int_equal(rsrtp_unprotect(&rx, last[j], &n), -EALREADY);
	}
	rsrtp_fini(&rx);
	srtp_dealloc(lib_tx);
}

/* --- what unprotect refuses --- */

/* Every bit of p[0..n) flipped in turn, then every shorter length: each is
 * refused and leaves the bytes as they were; then p itself passes. */
static void check_every_flip_and_cut(struct rsrtp_ctx *rx, uint8_t *p, size_t n, bool rtcp)
{
	uint8_t copy[BUF];
	size_t m;
	int ret;

	memcpy(copy, p, n);
	for (size_t bit = 0; bit < n * 8; bit++) {
		p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		m = n;
		ret = rtcp ? rsrtp_unprotect_rtcp(rx, p, &m) : rsrtp_unprotect(rx, p, &m);
		if (ret != -EACCES && ret != -EBADMSG)
			fail_msg("bit %zu of %zu flipped: %d", bit, n * 8, ret);
		assert_int_equal(m, n);
		p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_memory_equal(p, copy, n);
	}
	for (size_t cut = 0; cut < n; cut++) {
		m = cut;
		ret = rtcp ? rsrtp_unprotect_rtcp(rx, p, &m) : rsrtp_unprotect(rx, p, &m);
		if (ret != -EACCES && ret != -EBADMSG)
			fail_msg("cut to %zu of %zu: %d", cut, n, ret);
		assert_memory_equal(p, copy, n);
	}
	m = n;
	ret = rtcp ? rsrtp_unprotect_rtcp(rx, p, &m) : rsrtp_unprotect(rx, p, &m);
	assert_int_equal(ret, 0);
}

static void every_flipped_bit_and_truncation_is_refused(enum rsrtp_suite suite)
{
	struct rsrtp_key k = test_key(suite, 13);
	struct rsrtp_ctx tx, rx;
	uint8_t p[BUF];
	size_t n;

	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	/* With CSRCs and a header extension, so that their bits count too. */
	n = rtp_make(p, 4242, 0x01020304, 0);
	p[0] |= 0x10 | 2;
	memset(p + 12, 0xc5, 8);
	p[20] = 0xbe;
	p[21] = 0xde;
	p[22] = 0;
	p[23] = 1;
	memset(p + 24, 0x42, 4 + 33);
	n = 24 + 4 + 33;
	assert_int_equal(rsrtp_protect(&tx, p, &n, sizeof(p)), 0);
	check_every_flip_and_cut(&rx, p, n, false);
	n = rtcp_make(p, 0x01020304, 7, 1);
	assert_int_equal(rsrtp_protect_rtcp(&tx, p, &n, sizeof(p)), 0);
	check_every_flip_and_cut(&rx, p, n, true);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
}

static void replays_are_refused_reordering_is_not(enum rsrtp_suite suite)
{
	struct rsrtp_key k = test_key(suite, 17);
	uint8_t pk[200][128], q[BUF];
	size_t pn[200], n;
	struct rsrtp_ctx tx, rx;

	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	for (unsigned i = 0; i < 200; i++) {
		pn[i] = rtp_make(pk[i], (uint16_t)(1000 + i), 0x55, 40);
		assert_int_equal(rsrtp_protect(&tx, pk[i], &pn[i], sizeof(pk[i])), 0);
	}
#define DELIVER(i) (memcpy(q, pk[i], pn[i]), n = pn[i], rsrtp_unprotect(&rx, q, &n))
	assert_int_equal(DELIVER(0), 0);
	assert_int_equal(DELIVER(0), -EALREADY);
	assert_int_equal(DELIVER(5), 0);
	assert_int_equal(DELIVER(3), 0);   /* late but inside the window */
	assert_int_equal(DELIVER(3), -EALREADY);
	assert_int_equal(DELIVER(5), -EALREADY);
	assert_int_equal(DELIVER(199), 0);
	assert_int_equal(DELIVER(199 - RSRTP_WINDOW + 1), 0); /* the window's last */
	assert_int_equal(DELIVER(199 - RSRTP_WINDOW), -EALREADY); /* just past it */
	assert_int_equal(DELIVER(4), -EALREADY);
#undef DELIVER
	/* SRTCP keeps its own window. */
	n = rtcp_make(q, 0x55, 3, 0);
	assert_int_equal(rsrtp_protect_rtcp(&tx, q, &n, sizeof(q)), 0);
	memcpy(pk[0], q, n);
	pn[0] = n;
	assert_int_equal(rsrtp_unprotect_rtcp(&rx, q, &n), 0);
	n = pn[0];
	assert_int_equal(rsrtp_unprotect_rtcp(&rx, pk[0], &n), -EALREADY);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
}

/* --- allocations and time --- */

#define BENCH_PACKETS 4000
#define BENCH_PAYLOAD 160 /* 20 ms of G.711: 172-byte RTP */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct bench {
	uint8_t (*pk)[256];
	size_t *pn;
};

static void bench_fill(struct bench *b, uint16_t seq0)
{
	for (unsigned i = 0; i < BENCH_PACKETS; i++)
		b->pn[i] = rtp_make(b->pk[i], (uint16_t)(seq0 + i), 0x77, BENCH_PAYLOAD);
}

/*
 * rsrtp's protect and unprotect over BENCH_PACKETS RTP packets, with every
 * failure the RT path can meet mixed in (replays, a flipped tag, which
 * makes GCM restore the ciphertext, a full buffer) and SRTCP: no
 * allocation at all.  The time per call is printed, and libsrtp2's beside
 * it, with its allocations.
 */
static void no_allocation_per_packet(enum rsrtp_suite suite)
{
	struct rsrtp_key k = test_key(suite, 19);
	struct bench b = { .pk = calloc(BENCH_PACKETS, 256),
			   .pn = calloc(BENCH_PACKETS, sizeof(size_t)) };
	struct rsrtp_ctx tx, rx;
	double t0, t_prot, t_unprot, l_prot = 0, l_unprot = 0;
	unsigned long allocs, lib_allocs = 0;
	unsigned bad = 0;
	uint8_t q[BUF], r[BUF];
	size_t n, rn;

	assert_non_null(b.pk);
	assert_non_null(b.pn);
	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	/* Once before counting, so that nothing first-use is counted. */
	n = rtp_make(q, 1, 0x78, 10);
	bad += rsrtp_protect(&tx, q, &n, sizeof(q)) != 0;
	bad += rsrtp_unprotect(&rx, q, &n) != 0;
	bench_fill(&b, 60000);

	count_start();
	t0 = now_ns();
	for (unsigned i = 0; i < BENCH_PACKETS; i++)
		bad += rsrtp_protect(&tx, b.pk[i], &b.pn[i], 256) != 0;
	t_prot = now_ns() - t0;
	t0 = now_ns();
	for (unsigned i = 0; i < BENCH_PACKETS; i++)
		bad += rsrtp_unprotect(&rx, b.pk[i], &b.pn[i]) != 0;
	t_unprot = now_ns() - t0;
	for (unsigned i = 0; i < 100; i++) {
		n = rtp_make(q, (uint16_t)(60000 + BENCH_PACKETS + i), 0x77, BENCH_PAYLOAD);
		bad += rsrtp_protect(&tx, q, &n, n) != -ENOSPC;
		bad += rsrtp_protect(&tx, q, &n, sizeof(q)) != 0;
		memcpy(r, q, n);
		rn = n;
		q[n - 1] ^= 1;
		bad += rsrtp_unprotect(&rx, q, &n) != -EACCES;
		q[n - 1] ^= 1;
		bad += rsrtp_unprotect(&rx, q, &n) != 0;
		bad += rsrtp_unprotect(&rx, r, &rn) != -EALREADY;
		n = rtcp_make(q, 0x77, 10, i);
		bad += rsrtp_protect_rtcp(&tx, q, &n, sizeof(q)) != 0;
		q[n - 5] ^= 1;
		bad += rsrtp_unprotect_rtcp(&rx, q, &n) != -EACCES;
		q[n - 5] ^= 1;
		bad += rsrtp_unprotect_rtcp(&rx, q, &n) != 0;
	}
	allocs = count_stop();
	assert_int_equal(bad, 0);
	assert_int_equal(allocs, 0);

	if (!lib_missing[suite]) {
		srtp_t lib_tx = lib_new(&k, false), lib_rx = lib_new(&k, true);

		bench_fill(&b, 60000);
		count_start();
		t0 = now_ns();
		for (unsigned i = 0; i < BENCH_PACKETS; i++)
			bad += lib_protect(lib_tx, b.pk[i], &b.pn[i], false) != srtp_err_status_ok;
		l_prot = now_ns() - t0;
		t0 = now_ns();
		for (unsigned i = 0; i < BENCH_PACKETS; i++)
			bad += lib_unprotect(lib_rx, b.pk[i], &b.pn[i], false) != srtp_err_status_ok;
		l_unprot = now_ns() - t0;
		lib_allocs = count_stop();
		assert_int_equal(bad, 0);
		srtp_dealloc(lib_tx);
		srtp_dealloc(lib_rx);
	}
	print_message("srtp: %s, %d-byte RTP: rsrtp protect %.0f ns, unprotect %.0f ns, "
		      "0 mallocs; libsrtp2 protect %.0f ns, unprotect %.0f ns, %.1f mallocs "
		      "a pair" BUILD_NOTE "\n",
		      rsrtp_suites[suite].name, 12 + BENCH_PAYLOAD, t_prot / BENCH_PACKETS,
		      t_unprot / BENCH_PACKETS, l_prot / BENCH_PACKETS, l_unprot / BENCH_PACKETS,
		      (double)lib_allocs / BENCH_PACKETS);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
	free(b.pk);
	free(b.pn);
}

/* --- per suite --- */

#define PER_SUITE_ONE(fn, name)                          \
	static void test_##fn##__##name(void **state) \
	{                                              \
		(void)state;                           \
		fn(RSRTP_##name);                      \
	}
#define PER_SUITE(fn)                                   \
	PER_SUITE_ONE(fn, AES_CM_128_HMAC_SHA1_80)      \
	PER_SUITE_ONE(fn, AES_CM_128_HMAC_SHA1_32)      \
	PER_SUITE_ONE(fn, AEAD_AES_128_GCM)             \
	PER_SUITE_ONE(fn, AEAD_AES_256_GCM)
#define PER_SUITE_TESTS(fn)                                        \
	cmocka_unit_test(test_##fn##__AES_CM_128_HMAC_SHA1_80),    \
		cmocka_unit_test(test_##fn##__AES_CM_128_HMAC_SHA1_32), \
		cmocka_unit_test(test_##fn##__AEAD_AES_128_GCM),        \
		cmocka_unit_test(test_##fn##__AEAD_AES_256_GCM)

PER_SUITE(libsrtp2_rtp_unprotects_here_and_back)
PER_SUITE(libsrtp2_rtcp_unprotects_here_and_back)
PER_SUITE(several_ssrcs_share_one_ctx)
PER_SUITE(every_flipped_bit_and_truncation_is_refused)
PER_SUITE(replays_are_refused_reordering_is_not)
PER_SUITE(no_allocation_per_packet)

/* --- the rest, on one suite --- */

static const enum rsrtp_suite CM80 = RSRTP_AES_CM_128_HMAC_SHA1_80;

/* Around the wrap, out of order: 65535 arriving after 0 is the old ROC's,
 * 2 after 65534 the new one's. */
static void test_the_roc_is_guessed_across_a_wrap_in_either_order(void **state)
{
	static const uint16_t sent[] = { 65533, 65534, 65535, 0, 1, 2 };
	static const unsigned order[] = { 0, 1, 3, 2, 5, 4 };
	struct rsrtp_key k = test_key(CM80, 23);
	uint8_t pk[6][64], plain[6][64];
	size_t pn[6];
	struct rsrtp_ctx tx, rx;

	(void)state;
	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	for (unsigned i = 0; i < 6; i++) {
		pn[i] = rtp_make(plain[i], sent[i], 0x99, 8);
		memcpy(pk[i], plain[i], pn[i]);
		assert_int_equal(rsrtp_protect(&tx, pk[i], &pn[i], sizeof(pk[i])), 0);
	}
	for (unsigned j = 0; j < 6; j++) {
		unsigned i = order[j];

		assert_int_equal(rsrtp_unprotect(&rx, pk[i], &pn[i]), 0);
		assert_memory_equal(pk[i], plain[i], pn[i]);
	}
	assert_true(rx.slot[rx.last].rtp_index == (1ull << 16 | 2));
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
}

/* Sixteen SSRCs fill the slots; a seventeenth takes the least recently
 * used one.  What is forgotten is that SSRC's state only: its old packet
 * passes again (the documented cost), the others' replays still do not. */
static void test_a_new_ssrc_takes_the_least_recently_used_slot_when_all_are_full(void **state)
{
	struct rsrtp_key k = test_key(CM80, 29);
	uint8_t pk[RSRTP_SLOTS + 1][64], q[64];
	size_t pn[RSRTP_SLOTS + 1], n;
	struct rsrtp_ctx tx, rx;

	(void)state;
	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	for (unsigned i = 0; i <= RSRTP_SLOTS; i++) {
		pn[i] = rtp_make(pk[i], 7, 0x1000 + i, 4);
		assert_int_equal(rsrtp_protect(&tx, pk[i], &pn[i], sizeof(pk[i])), 0);
	}
	for (unsigned i = 0; i < RSRTP_SLOTS; i++) {
		memcpy(q, pk[i], pn[i]);
		n = pn[i];
		assert_int_equal(rsrtp_unprotect(&rx, q, &n), 0);
	}
	/* SSRC 0x1000 is the least recently used: replays of the others
	 * touch nothing, refused before they could. */
	for (unsigned i = 1; i < RSRTP_SLOTS; i++) {
		memcpy(q, pk[i], pn[i]);
		n = pn[i];
		assert_int_equal(rsrtp_unprotect(&rx, q, &n), -EALREADY);
	}
	memcpy(q, pk[RSRTP_SLOTS], pn[RSRTP_SLOTS]);
	n = pn[RSRTP_SLOTS];
	assert_int_equal(rsrtp_unprotect(&rx, q, &n), 0);
	for (unsigned i = 1; i < RSRTP_SLOTS; i++) {
		memcpy(q, pk[i], pn[i]);
		n = pn[i];
		assert_int_equal(rsrtp_unprotect(&rx, q, &n), -EALREADY);
	}
	memcpy(q, pk[0], pn[0]);
	n = pn[0];
	assert_int_equal(rsrtp_unprotect(&rx, q, &n), 0);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
}

/* A forgery takes no slot: the table stays as the key's holder left it. */
static void test_a_packet_that_does_not_authenticate_takes_no_slot(void **state)
{
	struct rsrtp_key k = test_key(CM80, 31), other = test_key(CM80, 32);
	struct rsrtp_ctx tx, rx;
	uint8_t q[64];
	size_t n;

	(void)state;
	ctx_new(&tx, &other, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	for (unsigned i = 0; i < 3 * RSRTP_SLOTS; i++) {
		n = rtp_make(q, 1, 0x2000 + i, 4);
		assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), 0);
		assert_int_equal(rsrtp_unprotect(&rx, q, &n), -EACCES);
	}
	for (unsigned i = 0; i < RSRTP_SLOTS; i++)
		assert_false(rx.slot[i].live);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
}

/* RFC 4568 section 6.1: no packet past the key's lifetime, either way. */
static void test_a_keys_lifetime_is_kept_for_srtp_and_srtcp_each(void **state)
{
	struct rsrtp_key k = test_key(CM80, 37);
	struct rsrtp_ctx tx, rx;
	uint8_t q[64], keep[64];
	size_t n, kn;

	(void)state;
	k.lifetime = 3;
	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	for (unsigned i = 0; i < 3; i++) {
		n = rtp_make(q, (uint16_t)i, 0x3000 + i % 2, 4);
		assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), 0);
		assert_int_equal(rsrtp_unprotect(&rx, q, &n), 0);
		n = rtcp_make(q, 0x3000, 1, i);
		assert_int_equal(rsrtp_protect_rtcp(&tx, q, &n, sizeof(q)), 0);
		assert_int_equal(rsrtp_unprotect_rtcp(&rx, q, &n), 0);
	}
	n = rtp_make(q, 3, 0x3000, 4);
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), -EKEYEXPIRED);
	n = rtcp_make(q, 0x3000, 1, 3);
	assert_int_equal(rsrtp_protect_rtcp(&tx, q, &n, sizeof(q)), -EKEYEXPIRED);
	rsrtp_fini(&tx);
	/* The receiver counts too: a fourth packet under a fresh sender. */
	ctx_new(&tx, &k, RSRTP_PROTECT);
	kn = rtp_make(keep, 9, 0x3100, 4);
	assert_int_equal(rsrtp_protect(&tx, keep, &kn, sizeof(keep)), 0);
	assert_int_equal(rsrtp_unprotect(&rx, keep, &kn), -EKEYEXPIRED);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
	k.lifetime = RSRTP_LIFETIME_MAX + 1;
	assert_int_equal(rsrtp_init(&rx, &k, RSRTP_UNPROTECT), -EINVAL);
	rsrtp_fini(&rx);
}

static void test_no_room_for_the_tag_is_enospc_and_changes_nothing(void **state)
{
	struct rsrtp_key k = test_key(RSRTP_AEAD_AES_128_GCM, 41);
	uint8_t q[64], copy[64];
	struct rsrtp_ctx tx;
	size_t n, plain;

	(void)state;
	ctx_new(&tx, &k, RSRTP_PROTECT);
	plain = n = rtp_make(q, 5, 0x4000, 20);
	memcpy(copy, q, sizeof(q));
	assert_int_equal(rsrtp_protect(&tx, q, &n, n + 15), -ENOSPC);
	assert_int_equal(n, plain);
	assert_memory_equal(q, copy, sizeof(q));
	plain = n = rtcp_make(q, 0x4000, 2, 0);
	memcpy(copy, q, sizeof(q));
	assert_int_equal(rsrtp_protect_rtcp(&tx, q, &n, n + 19), -ENOSPC);
	assert_int_equal(n, plain);
	assert_memory_equal(q, copy, sizeof(q));
	assert_int_equal(rsrtp_protect_rtcp(&tx, q, &n, n + 20), 0);
	rsrtp_fini(&tx);
}

/* Protecting the same index twice would repeat a keystream. */
static void test_protect_refuses_an_index_it_already_spent(void **state)
{
	struct rsrtp_key k = test_key(CM80, 43);
	struct rsrtp_ctx tx;
	uint8_t q[64];
	size_t n;

	(void)state;
	ctx_new(&tx, &k, RSRTP_PROTECT);
	n = rtp_make(q, 500, 0x5000, 4);
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), 0);
	n = rtp_make(q, 500, 0x5000, 4);
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), -EALREADY);
	n = rtp_make(q, 500 + RSRTP_WINDOW, 0x5000, 4);
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), 0);
	n = rtp_make(q, 500, 0x5000, 4);
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), -EALREADY);
	n = rtp_make(q, 501, 0x5000, 4);
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), 0);
	rsrtp_fini(&tx);
}

static void test_what_is_not_rtp_of_version_2_inside_its_length_is_ebadmsg(void **state)
{
	struct rsrtp_key k = test_key(CM80, 47);
	struct rsrtp_ctx tx, rx;
	uint8_t q[BUF];
	size_t n;

	(void)state;
	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	n = rtp_make(q, 1, 1, 4);
	q[0] = 0x40; /* version 1 */
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), -EBADMSG);
	n = rtp_make(q, 1, 1, 4);
	q[0] = 0x82; /* two CSRCs: 8 bytes past a 4-byte payload */
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), -EBADMSG);
	n = rtp_make(q, 1, 1, 8);
	q[0] = 0x90; /* an extension of 0x0101 words */
	q[14] = q[15] = 1;
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), -EBADMSG);
	n = 11;
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), -EBADMSG);
	n = RSRTP_LEN_MAX + 1;
	assert_int_equal(rsrtp_unprotect(&rx, q, &n), -EBADMSG);
	n = rtcp_make(q, 1, 0, 0) - 1;
	assert_int_equal(rsrtp_protect_rtcp(&tx, q, &n, sizeof(q)), -EBADMSG);
	n = 21;
	assert_int_equal(rsrtp_unprotect_rtcp(&rx, q, &n), -EBADMSG);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
}

/* RFC 4568 section 6.3.2: E is set unless UNENCRYPTED_SRTCP was agreed,
 * which rtd never agrees to; libsrtp2 told to authenticate SRTCP only
 * sends such packets, authentic ones. */
static void test_srtcp_with_e_clear_is_refused_even_when_it_authenticates(void **state)
{
	struct rsrtp_key k = test_key(CM80, 59);
	uint8_t keybuf[RSRTP_KEY_MAX + RSRTP_SALT_MAX], q[BUF];
	struct rsrtp_ctx rx;
	srtp_policy_t pol;
	srtp_t lib_tx;
	size_t n;

	(void)state;
	lib_policy(&pol, &k, keybuf, false);
	pol.rtcp.sec_serv = sec_serv_auth;
	assert_int_equal(srtp_create(&lib_tx, &pol), srtp_err_status_ok);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	n = rtcp_make(q, 0x6000, 4, 0);
	assert_int_equal(lib_protect(lib_tx, q, &n, true), srtp_err_status_ok);
	assert_int_equal(q[n - 14] & 0x80, 0);
	assert_int_equal(rsrtp_unprotect_rtcp(&rx, q, &n), -EBADMSG);
	rsrtp_fini(&rx);
	srtp_dealloc(lib_tx);
}

static void test_a_ctx_serves_its_own_direction_only_and_fini_is_idempotent(void **state)
{
	struct rsrtp_key k = test_key(CM80, 53);
	struct rsrtp_ctx tx, rx, none = { 0 };
	uint8_t q[64];
	size_t n = rtp_make(q, 1, 1, 4);

	(void)state;
	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	assert_int_equal(rsrtp_unprotect(&tx, q, &n), -EINVAL);
	assert_int_equal(rsrtp_unprotect_rtcp(&tx, q, &n), -EINVAL);
	assert_int_equal(rsrtp_protect(&rx, q, &n, sizeof(q)), -EINVAL);
	assert_int_equal(rsrtp_protect_rtcp(&rx, q, &n, sizeof(q)), -EINVAL);
	assert_int_equal(rsrtp_protect(&none, q, &n, sizeof(q)), -EINVAL);
	rsrtp_fini(&tx);
	rsrtp_fini(&tx);
	assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), -EINVAL);
	rsrtp_fini(&rx);
	rsrtp_fini(&none);
	k.suite = RSRTP_NSUITES;
	assert_int_equal(rsrtp_init(&tx, &k, RSRTP_PROTECT), -EINVAL);
	k.suite = CM80;
	assert_int_equal(rsrtp_init(&tx, &k, (enum rsrtp_dir)7), -EINVAL);
	rsrtp_fini(&tx);
}

/*
 * A restart mid-call, past a wrap: the contexts rtd makes again with the
 * same keys go on from a save.  Without it the receiver reads ROC 0 and
 * nothing authenticates, and protect repeats SRTCP indices; with it,
 * libsrtp2 at the far end takes what the resumed protect sends, and the
 * resumed unprotect takes what libsrtp2 sends.
 */
static void test_a_save_resumes_srtp_past_a_wrap_and_srtcp_without_reuse(void **state)
{
	struct rsrtp_key k = test_key(CM80, 61);
	struct rsrtp_ctx tx, rx, tx2, rx2, fresh;
	struct rsrtp_saved sv_tx, sv_rx, bad;
	srtp_t lib_rx = lib_new(&k, true), lib_tx = lib_new(&k, false);
	uint8_t q[BUF], c[BUF];
	size_t n, m;
	uint32_t idx_before;

	(void)state;
	ctx_new(&tx, &k, RSRTP_PROTECT);
	ctx_new(&rx, &k, RSRTP_UNPROTECT);
	/* Both ways, from SEQ 65530 across the wrap to 9: ROC 1. */
	for (uint32_t i = 65530; i < 65536 + 10; i++) {
		n = rtp_make(q, (uint16_t)i, 0x7000, 20);
		assert_int_equal(rsrtp_protect(&tx, q, &n, sizeof(q)), 0);
		assert_int_equal(lib_unprotect(lib_rx, q, &n, false), srtp_err_status_ok);
		n = rtp_make(q, (uint16_t)i, 0x7001, 20);
		assert_int_equal(lib_protect(lib_tx, q, &n, false), srtp_err_status_ok);
		assert_int_equal(rsrtp_unprotect(&rx, q, &n), 0);
	}
	n = rtcp_make(q, 0x7000, 6, 1);
	assert_int_equal(rsrtp_protect_rtcp(&tx, q, &n, sizeof(q)), 0);
	assert_int_equal(lib_unprotect(lib_rx, q, &n, true), srtp_err_status_ok);
	idx_before = tx.slot[tx.last].rtcp_index;
	rsrtp_save(&tx, &sv_tx);
	rsrtp_save(&rx, &sv_rx);
	assert_int_equal(sv_tx.n, 1);
	assert_true(sv_tx.s[0].rtp_index == (1ull << 16 | 9));
	assert_true(sv_rx.s[0].ssrc == 0x7001 && sv_rx.s[0].rtp_index == (1ull << 16 | 9));

	/* What a fresh context would do with the next packet: refuse it. */
	ctx_new(&fresh, &k, RSRTP_UNPROTECT);
	n = rtp_make(q, 10, 0x7001, 20);
	assert_int_equal(lib_protect(lib_tx, q, &n, false), srtp_err_status_ok);
	memcpy(c, q, n);
	m = n;
	assert_int_equal(rsrtp_unprotect(&fresh, c, &m), -EACCES);
	rsrtp_fini(&fresh);

	ctx_new(&rx2, &k, RSRTP_UNPROTECT);
	assert_int_equal(rsrtp_resume(&rx2, &sv_rx), 0);
	assert_int_equal(rsrtp_unprotect(&rx2, q, &n), 0);
	assert_int_equal(rsrtp_unprotect(&rx2, c, &m), -EALREADY);

	ctx_new(&tx2, &k, RSRTP_PROTECT);
	assert_int_equal(rsrtp_resume(&tx2, &sv_tx), 0);
	n = rtp_make(q, 10, 0x7000, 20);
	assert_int_equal(rsrtp_protect(&tx2, q, &n, sizeof(q)), 0);
	assert_int_equal(lib_unprotect(lib_rx, q, &n, false), srtp_err_status_ok);
	n = rtcp_make(q, 0x7000, 6, 2);
	assert_int_equal(rsrtp_protect_rtcp(&tx2, q, &n, sizeof(q)), 0);
	assert_int_equal(lib_unprotect(lib_rx, q, &n, true), srtp_err_status_ok);
	assert_true(tx2.slot[tx2.last].rtcp_index == idx_before + RSRTP_RESUME_RTCP_SKIP + 1);
	/* A late upstream packet of before the save is not sealed again. */
	n = rtp_make(q, 9, 0x7000, 20);
	assert_int_equal(rsrtp_protect(&tx2, q, &n, sizeof(q)), -EALREADY);
	/* An SSRC the save did not hold starts its SRTCP past every saved one. */
	n = rtcp_make(q, 0x7abc, 6, 3);
	assert_int_equal(rsrtp_protect_rtcp(&tx2, q, &n, sizeof(q)), 0);
	assert_true(tx2.slot[tx2.last].ssrc == 0x7abc &&
		    tx2.slot[tx2.last].rtcp_index == idx_before + RSRTP_RESUME_RTCP_SKIP + 1);
	rsrtp_fini(&tx2);
	/* A spent SRTCP index space resumes spent: -EKEYEXPIRED, never an old index. */
	sv_tx.s[0].rtcp_index = RSRTCP_LIFETIME_MAX;
	ctx_new(&tx2, &k, RSRTP_PROTECT);
	assert_int_equal(rsrtp_resume(&tx2, &sv_tx), 0);
	n = rtcp_make(q, 0x7000, 6, 4);
	assert_int_equal(rsrtp_protect_rtcp(&tx2, q, &n, sizeof(q)), -EKEYEXPIRED);

	/* Not a saved state: refused, the context as rsrtp_init left it. */
	bad = sv_rx;
	bad.n = RSRTP_SAVED + 1;
	assert_int_equal(rsrtp_resume(&rx2, &bad), -EINVAL);
	bad = sv_rx;
	bad.s[0].rtp_index = RSRTP_LIFETIME_MAX;
	assert_int_equal(rsrtp_resume(&rx2, &bad), -EINVAL);
	rsrtp_fini(&tx);
	rsrtp_fini(&rx);
	rsrtp_fini(&tx2);
	rsrtp_fini(&rx2);
	srtp_dealloc(lib_rx);
	srtp_dealloc(lib_tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3711_b3_derives_the_cipher_key_salt_and_auth_key),
		cmocka_unit_test(test_rfc3711_b2_a_zero_payload_encrypts_to_the_keystream),
		cmocka_unit_test(test_rfc7714_16_aead_aes_128_gcm_rtp_vector),
		cmocka_unit_test(test_rfc7714_16_aead_aes_256_gcm_rtp_vector),
		cmocka_unit_test(test_rfc7714_17_aead_aes_128_gcm_rtcp_vector),
		cmocka_unit_test(test_rfc7714_17_aead_aes_256_gcm_rtcp_vector),
		cmocka_unit_test(test_suites_are_found_by_sdes_name_and_dtls_srtp_profile),
		cmocka_unit_test(test_fresh_keys_differ_and_fill_only_their_suites_lengths),
		PER_SUITE_TESTS(libsrtp2_rtp_unprotects_here_and_back),
		PER_SUITE_TESTS(libsrtp2_rtcp_unprotects_here_and_back),
		PER_SUITE_TESTS(several_ssrcs_share_one_ctx),
		PER_SUITE_TESTS(every_flipped_bit_and_truncation_is_refused),
		PER_SUITE_TESTS(replays_are_refused_reordering_is_not),
		cmocka_unit_test(test_the_roc_is_guessed_across_a_wrap_in_either_order),
		cmocka_unit_test(test_a_new_ssrc_takes_the_least_recently_used_slot_when_all_are_full),
		cmocka_unit_test(test_a_packet_that_does_not_authenticate_takes_no_slot),
		cmocka_unit_test(test_a_keys_lifetime_is_kept_for_srtp_and_srtcp_each),
		cmocka_unit_test(test_no_room_for_the_tag_is_enospc_and_changes_nothing),
		cmocka_unit_test(test_protect_refuses_an_index_it_already_spent),
		cmocka_unit_test(test_what_is_not_rtp_of_version_2_inside_its_length_is_ebadmsg),
		cmocka_unit_test(test_srtcp_with_e_clear_is_refused_even_when_it_authenticates),
		cmocka_unit_test(test_a_ctx_serves_its_own_direction_only_and_fini_is_idempotent),
		cmocka_unit_test(test_a_save_resumes_srtp_past_a_wrap_and_srtcp_without_reuse),
		PER_SUITE_TESTS(no_allocation_per_packet),
	};

	return cmocka_run_group_tests(tests, lib_setup, lib_teardown);
}
