// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "apps/relay/ice.h"
#include "apps/relay/stun.h"

/* ice-char (RFC 8445 section 5.3): exactly 64, so a random byte's low six
 * bits pick one without bias. */
static const char ice_chars[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define ICE_NEW_UFRAG_LEN 8
#define ICE_NEW_PWD_LEN 24

static int fill_random(uint8_t *b, size_t n)
{
	while (n) {
		ssize_t got = getrandom(b, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += got;
		n -= (size_t)got;
	}
	return 0;
}

int ice_creds_new(struct ice_creds *c)
{
	uint8_t r[ICE_NEW_UFRAG_LEN + ICE_NEW_PWD_LEN];
	int err = fill_random(r, sizeof(r));

	if (err)
		return err;
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < ICE_NEW_UFRAG_LEN; i++)
		c->ufrag[i] = ice_chars[r[i] & 63];
	for (size_t i = 0; i < ICE_NEW_PWD_LEN; i++)
		c->pwd[i] = ice_chars[r[ICE_NEW_UFRAG_LEN + i] & 63];
	explicit_bzero(r, sizeof(r));
	return 0;
}

static bool ice_chars_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !memchr(ice_chars, s[i], sizeof(ice_chars)))
			return false;
	return true;
}

int ice_creds_check(const struct ice_creds *c)
{
	size_t u = strnlen(c->ufrag, sizeof(c->ufrag)), p = strnlen(c->pwd, sizeof(c->pwd));

	if (u < ICE_UFRAG_MIN || u > ICE_UFRAG_MAX || p < ICE_PWD_MIN || p > ICE_PWD_MAX)
		return -EINVAL;
	return ice_chars_only(c->ufrag, u) && ice_chars_only(c->pwd, p) ? 0 : -EINVAL;
}

/* RFC 8445 section 7.2.2: the receiver's ufrag, a colon, the sender's. */
static bool username_is_ours(const struct stun_msg *m, const struct ice_creds *local,
			     const char *remote)
{
	size_t ul = strlen(local->ufrag), n = m->username_len, rl;
	const uint8_t *u = m->username;

	if (n <= ul || memcmp(u, local->ufrag, ul) || u[ul] != ':')
		return false;
	u += ul + 1;
	n -= ul + 1;
	if (!remote)
		return n > 0;
	rl = strlen(remote);
	return n == rl && !memcmp(u, remote, rl);
}

static const char *reason_of(uint16_t code)
{
	switch (code) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 420:
		return "Unknown Attribute";
	default:
		return "Role Conflict";
	}
}

/* An error response; signed with pwd once the request proved it knows it
 * (RFC 8489 section 9.1.3: not for 400 and 401). */
static int refuse(struct ice_verdict *v, const struct stun_msg *m, uint16_t code,
		  const char *pwd, uint8_t *out, size_t cap)
{
	const uint16_t *unknown = code == 420 ? m->unknown : NULL;

	v->kind = ICE_REFUSED;
	v->error = code;
	return stun_build_error(out, cap, m->txid, code, reason_of(code), unknown,
				unknown ? m->nunknown : 0, pwd, pwd ? strlen(pwd) : 0);
}

int ice_answer(const struct ice_creds *local, const char *remote_ufrag, const uint8_t *req,
	       size_t len, const struct rtd_ep *from, uint8_t *out, size_t cap,
	       struct ice_verdict *v)
{
	const char *pwd = local->pwd;
	struct stun_msg m;

	*v = (struct ice_verdict){ .kind = ICE_IGNORED };
	if (ice_creds_check(local) || (from->family != AF_INET && from->family != AF_INET6))
		return -EINVAL;
	if (stun_parse(req, len, &m) || m.method != STUN_BINDING || m.cls != STUN_REQUEST)
		return 0;
	if (!m.has_username || !m.has_integrity)
		return refuse(v, &m, 400, NULL, out, cap);
	if (!username_is_ours(&m, local, remote_ufrag) ||
	    stun_check_integrity(req, len, &m, pwd, strlen(pwd)))
		return refuse(v, &m, 401, NULL, out, cap);
	if (m.nunknown)
		return refuse(v, &m, 420, pwd, out, cap);
	if (m.controlled)
		return refuse(v, &m, 487, pwd, out, cap);
	v->kind = ICE_VALID;
	v->nominated = m.use_candidate;
	v->priority = m.priority;
	return stun_build_success(out, cap, m.txid, from, pwd, strlen(pwd));
}
