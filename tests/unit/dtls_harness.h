/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the DTLS tests share: identities made once, connections against a
 * peer identity's fingerprint, the keys compared, and a shell command's
 * output read back (the openssl command line as a second opinion).
 */
#ifndef RTD_TEST_DTLS_HARNESS_H
#define RTD_TEST_DTLS_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps/relay/dtls.h"

/* The fingerprint rdtls_identity_fingerprint() writes, parsed back. */
static inline struct rdtls_fp harness_fp(const struct rdtls_identity *id)
{
	const char *s = rdtls_identity_fingerprint(id);
	struct rdtls_fp fp;
	char err[128];

	assert_int_equal(rdtls_fp_parse(&fp, s, strlen(s), err, sizeof(err)), 0);
	return fp;
}

static inline struct rdtls_identity *harness_identity(void)
{
	struct rdtls_identity *id;
	char err[160] = "";

	assert_int_equal(rdtls_identity_new(&id, 0, err, sizeof(err)), 0);
	return id;
}

/* A connection of role on id whose peer shows peer's certificate; profile
 * 0 offers the default list. */
static inline struct rdtls_conn *harness_conn(struct rdtls_identity *id, enum rdtls_role role,
					      const struct rdtls_identity *peer, uint16_t profile,
					      unsigned rto_ms, unsigned deadline_ms)
{
	struct rdtls_fp fp = harness_fp(peer);
	struct rdtls_conn_opts o = {
		.role = role,
		.fps = &fp,
		.nfps = 1,
		.profiles = { profile },
		.rto_ms = rto_ms,
		.deadline_ms = deadline_ms,
	};
	struct rdtls_conn *c;

	assert_int_equal(rdtls_conn_new(&c, id, &o), 0);
	return c;
}

/* Hex of n bytes into out (2n + 1). */
static inline char *harness_hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = 0;
	return out;
}

/*
 * The keying material as RFC 5764 section 4.2 lays it out (client key,
 * server key, client salt, server salt), in hex, rebuilt from what one
 * side's rdtls_keys says: what `openssl -keymatexport` prints.
 */
static inline char *harness_km(const struct rdtls_keys *k, enum rdtls_role role, char *out)
{
	const struct rdtls_srtp_key *cl = role == RDTLS_CLIENT ? &k->local : &k->remote;
	const struct rdtls_srtp_key *sv = role == RDTLS_CLIENT ? &k->remote : &k->local;
	uint8_t km[2 * (RDTLS_KEY_MAX + RDTLS_SALT_MAX)];
	size_t n = 0;

	memcpy(km + n, cl->key, k->key_len);
	n += k->key_len;
	memcpy(km + n, sv->key, k->key_len);
	n += k->key_len;
	memcpy(km + n, cl->salt, k->salt_len);
	n += k->salt_len;
	memcpy(km + n, sv->salt, k->salt_len);
	n += k->salt_len;
	return harness_hex(km, n, out);
}

/* Whether a program is on PATH (the tests that need it skip without). */
static inline int harness_have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* The first line of a command's output, without its newline; 0 or -1. */
static inline int harness_run(const char *cmd, char *line, size_t cap)
{
	FILE *p = popen(cmd, "r");
	int ok;

	if (!p)
		return -1;
	ok = fgets(line, (int)cap, p) != NULL;
	if (pclose(p) != 0 || !ok)
		return -1;
	line[strcspn(line, "\r\n")] = 0;
	return 0;
}

/* A fresh directory for files a test writes; removed by harness_rmdir. */
static inline void harness_tmpdir(char *dir, size_t cap)
{
	snprintf(dir, cap, "/tmp/rtd-dtls-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static inline void harness_rmdir(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif
