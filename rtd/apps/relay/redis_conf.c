// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "apps/relay/redis_conf.h"
#include "lib/addr.h"

/* Digits only, lo-hi: the number, or -1. */
static long number(const char *s, size_t n, long hi)
{
	long v = 0;

	if (!n || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v > hi ? -1 : v;
}

/* A name as DNS has it (letters, digits, '-', '.'), or an IP address. */
static bool host_ok(const char *h, size_t n, bool bracketed)
{
	struct in6_addr a;

	if (bracketed)
		return addr_parse(h, n, &a) == AF_INET6;
	if (!n || n >= REDIS_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(h[i] >= 'a' && h[i] <= 'z') && !(h[i] >= 'A' && h[i] <= 'Z') &&
		    !(h[i] >= '0' && h[i] <= '9') && h[i] != '-' && h[i] != '.')
			return false;
	return true;
}

#define BAD(...) (snprintf(err, errlen, __VA_ARGS__), -EINVAL)

/* HOST:PORT[/DB] after the password. */
static int parse_where(struct relay_redis *r, const char *s, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/'), *end = slash ? slash : s + strlen(s);
	const char *colon = end, *h = s, *hend;
	bool br = *s == '[';
	long v;

	while (colon > s && colon[-1] != ':' && colon[-1] != ']')
		colon--;
	if (colon == s || colon[-1] != ':')
		return BAD("'%s': no ':PORT' after the host", s);
	hend = colon - 1;
	if (br) {
		if (hend == s || hend[-1] != ']')
			return BAD("'%.*s' is not an [IPv6] address", (int)(hend - s), s);
		h++;
		hend--;
	}
	if (br && !host_ok(h, hend - h, br))
		return BAD("'%.*s' is not an [IPv6] address", (int)(colon - 1 - s), s);
	if (!host_ok(h, hend - h, br))
		return BAD("'%.*s' is not a host name or address%s", (int)(hend - h), h,
			   memchr(h, ':', hend - h) ? " (IPv6 goes in [])" : "");
	v = number(colon, end - colon, 65535);
	if (v < 1)
		return BAD("'%.*s' is not a port (1-65535)", (int)(end - colon), colon);
	r->port = v;
	if (slash) {
		v = number(slash + 1, strlen(slash + 1), 65535);
		if (v < 0)
			return BAD("'%s' is not a database number (0-65535)", slash + 1);
		r->db = v;
	}
	snprintf(r->host, sizeof(r->host), "%.*s", (int)(hend - h), h);
	return 0;
}

int redis_conf_parse(void *field, const char *val, char *err, size_t errlen)
{
	struct relay_redis *r = field, out = { 0 };
	/* The last '@': a password may hold one, a host never does. */
	const char *at = strrchr(val, '@');
	int ret;

	/* Nothing of the value reaches an error line unless it is printable. */
	for (const char *c = val; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return BAD("a control character at offset %zu", (size_t)(c - val));
	if (at) {
		size_t n = at - val;

		if (!n || n >= sizeof(out.password))
			return BAD("the password before '@' must be 1-%zu characters",
				   sizeof(out.password) - 1);
		memcpy(out.password, val, n);
	}
	ret = parse_where(&out, at ? at + 1 : val, err, errlen);
	if (!ret)
		*r = out;
	return ret;
}

const char *redis_conf_str(const struct relay_redis *r, char *buf, size_t len)
{
	bool v6 = strchr(r->host, ':') != NULL;

	snprintf(buf, len, "%s%s%s:%u/%u", v6 ? "[" : "", r->host, v6 ? "]" : "", r->port, r->db);
	return buf;
}
