/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The relay's own settings (--app relay), and their table. */
#ifndef RELAY_CONF_H
#define RELAY_CONF_H

#include <netinet/in.h>

#include "apps/relay/allow.h"
#include "apps/relay/redis_conf.h"
#include "lib/settings.h"

#define RELAY_MAX_IFACES 16

/*
 * --interface [NAME/]LOCAL[!ADVERTISED], as rtpengine's: LOCAL is one of
 * the NIC's addresses, ADVERTISED what SDP says (a 1:1 NAT's public one).
 * Entries that share a name are one interface in two families.
 */
struct relay_iface {
	char name[32];            /* "default" unless named */
	int family;               /* AF_INET (v4-mapped below) or AF_INET6 */
	struct in6_addr local;
	struct in6_addr advertised;
};

struct relay_ifaces {
	struct relay_iface i[RELAY_MAX_IFACES];
	unsigned n;
};

struct relay_conf {
	char ng_listen[64];     /* ng control addresses, comma-separated */
	struct allow ng_allow;  /* command sources allowed */
	unsigned media_timeout; /* seconds of silence that end a call */
	struct relay_ifaces ifaces; /* none: the NIC's own addresses */
	char dtls_cert[256];    /* PEM files of rtd's DTLS identity; "": rtd's own */
	char dtls_key[256];
	unsigned keep_calls;        /* 0 yes, 1 no: keep_calls_words */
	struct relay_redis redis;   /* host "": calls not kept in Redis */
};

extern const struct setting_table relay_settings;

/* The interface named name ("" or NULL: the first) with an address of family, or NULL. */
const struct relay_iface *relay_iface_find(const struct relay_ifaces *f, const char *name,
					   int family);

#endif
