// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "apps/relay/conf.h"
#include "lib/addr.h"

/* One more --interface: each occurrence adds an entry. */
static int parse_iface(void *field, const char *val, char *err, size_t errlen)
{
	struct relay_ifaces *f = field;
	struct relay_iface *i = &f->i[f->n];
	const char *slash = strchr(val, '/'), *local = slash ? slash + 1 : val;
	const char *bang = strchr(local, '!');
	size_t llen = bang ? (size_t)(bang - local) : strlen(local);
	int fam;

	if (f->n == RELAY_MAX_IFACES) {
		snprintf(err, errlen, "more than %d interfaces", RELAY_MAX_IFACES);
		return -EINVAL;
	}
	memset(i, 0, sizeof(*i));
	if (slash && (slash == val || (size_t)(slash - val) >= sizeof(i->name) ||
		      memchr(val, '!', slash - val))) {
		snprintf(err, errlen, "'%s': the name before '/' must be 1-%zu characters", val,
			 sizeof(i->name) - 1);
		return -EINVAL;
	}
	snprintf(i->name, sizeof(i->name), "%.*s", slash ? (int)(slash - val) : 7,
		 slash ? val : "default");
	i->family = addr_parse(local, llen, &i->local);
	if (!i->family) {
		snprintf(err, errlen, "'%.*s' is not an IP address", (int)llen, local);
		return -EINVAL;
	}
	i->advertised = i->local;
	if (bang) {
		fam = addr_parse(bang + 1, 0, &i->advertised);
		if (fam != i->family) {
			snprintf(err, errlen, "'%s' is not an %s address to advertise", bang + 1,
				 i->family == AF_INET ? "IPv4" : "IPv6");
			return -EINVAL;
		}
	}
	f->n++;
	return 0;
}

const struct relay_iface *relay_iface_find(const struct relay_ifaces *f, const char *name,
					   int family)
{
	for (unsigned k = 0; k < f->n; k++)
		if (f->i[k].family == family && (!name || !*name || !strcmp(f->i[k].name, name)))
			return &f->i[k];
	return NULL;
}

#define F(f) .off = offsetof(struct relay_conf, f), .size = sizeof(((struct relay_conf *)0)->f)

static const char *const keep_calls_words[] = { "yes", "no", NULL };

static const struct setting rows[] = {
	{ .name = "ng-listen", .type = SETTING_STR, F(ng_listen), .what = "ng address",
	  .dflt = "127.0.0.1:2223,[::1]:2223", .arg = "LIST",
	  .help = "ng control addresses, comma-separated" },
	{ .name = "ng-allow", .type = SETTING_FUNC, F(ng_allow), .parse = allow_parse,
	  .dflt = "127.0.0.0/8,::1/128", .arg = "PREFIXES", .help = "who may send commands" },
	{ .name = "media-timeout", .type = SETTING_UINT, F(media_timeout), .lo = 1, .hi = 86400,
	  .dflt = "60", .arg = "S", .help = "end calls silent for S seconds" },
	{ .name = "interface", .type = SETTING_FUNC, F(ifaces), .parse = parse_iface,
	  .arg = "[NAME/]LOCAL[!ADV]",
	  .help = "media address LOCAL, one of IF's, advertised in SDP as ADV\n"
		  "(behind a 1:1 NAT); repeat for more, the same NAME for both\n"
		  "families (default: IF's own addresses)" },
	{ .name = "dtls-cert", .type = SETTING_STR, F(dtls_cert), .what = "file",
	  .arg = "FILE",
	  .help = "DTLS-SRTP certificate, PEM (default: one rtd makes and keeps\n"
		  "in its state directory, so a restart keeps its fingerprint)" },
	{ .name = "dtls-key", .type = SETTING_STR, F(dtls_key), .what = "file", .arg = "FILE",
	  .help = "the private key of --dtls-cert, PEM (default: --dtls-cert's file)" },
	{ .name = "keep-calls", .type = SETTING_WORD, F(keep_calls), .words = keep_calls_words,
	  .dflt = "yes", .arg = "WHETHER",
	  .help = "yes: calls are kept in the state directory and come back after\n"
		  "a crash or a restart; no: they end with the process" },
	{ .name = "redis", .type = SETTING_FUNC, F(redis), .parse = redis_conf_parse,
	  .arg = "[PW@]HOST:PORT[/DB]",
	  .help = "keep calls in Redis too, and take over other rtds' calls\n"
		  "whose addresses move here (password also from $" REDIS_PASSWORD_ENV ")" },
};

const struct setting_table relay_settings = SETTING_TABLE("Media relay (--app relay)", rows);
