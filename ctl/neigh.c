// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <string.h>

#include "ctl/rtctl.h"

static const char *addr_str(const struct rtd_ctl_neigh *n, const struct in6_addr *a, char *buf)
{
	if (n->family == AF_INET)
		return inet_ntop(AF_INET, &a->s6_addr[12], buf, INET6_ADDRSTRLEN);
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* As ip -j neigh names them. */
static const char *state_str(unsigned s)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ NUD_INCOMPLETE, "incomplete" }, { NUD_REACHABLE, "reachable" },
		{ NUD_STALE, "stale" },           { NUD_DELAY, "delay" },
		{ NUD_PROBE, "probe" },           { NUD_FAILED, "failed" },
		{ NUD_NOARP, "noarp" },           { NUD_PERMANENT, "permanent" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (s & names[i].bit)
			return names[i].name;
	return "none";
}

static bool is_default(const struct rtd_ctl_neigh *n)
{
	return n->prefixlen == 0;
}

/* Without a link-layer address yet (or any more), ip prints none. */
static bool has_lladdr(const struct rtd_ctl_neigh *n)
{
	return !(n->state & (NUD_INCOMPLETE | NUD_FAILED));
}

static void print_text(const struct rtd_ctl_neigh *v, unsigned n)
{
	char a[INET6_ADDRSTRLEN + sizeof("/128")], g[INET6_ADDRSTRLEN];

	for (unsigned i = 0; i < n; i++) {
		const struct rtd_ctl_neigh *e = &v[i];
		const unsigned char *m = e->mac;
		char upper[16];

		switch (e->kind) {
		case RTD_CTL_ADDR:
			printf("address %s/%u\n", addr_str(e, &e->addr, a), e->prefixlen);
			break;
		case RTD_CTL_ROUTE:
			if (is_default(e))
				snprintf(a, sizeof(a), "default");
			else
				snprintf(a + strlen(addr_str(e, &e->addr, a)), sizeof("/128"), "/%u",
					 e->prefixlen);
			printf("route %s", a);
			if (e->has_gw)
				printf(" via %s", addr_str(e, &e->gw, g));
			printf(" metric %u\n", e->metric);
			break;
		case RTD_CTL_NEIGHBOUR:
			snprintf(upper, sizeof(upper), "%s", state_str(e->state));
			for (char *p = upper; *p; p++)
				*p -= 'a' - 'A';
			printf("neigh %s", addr_str(e, &e->addr, a));
			if (has_lladdr(e))
				printf(" lladdr %02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
				       m[4], m[5]);
			printf(" %s\n", upper);
			break;
		}
	}
}

static void print_json(const struct rtd_ctl_neigh *v, unsigned n, bool pretty)
{
	static const char *const lists[] = { NULL, "addresses", "routes", "neighbours" };
	char a[INET6_ADDRSTRLEN], mac[18];

	json_begin(pretty);
	for (unsigned kind = RTD_CTL_ADDR; kind <= RTD_CTL_NEIGHBOUR; kind++) {
		json_arr_open(lists[kind]);
		for (unsigned i = 0; i < n; i++) {
			const struct rtd_ctl_neigh *e = &v[i];

			if (e->kind != kind)
				continue;
			json_obj_open(NULL);
			json_str("family", e->family == AF_INET ? "inet" : "inet6");
			json_str(kind == RTD_CTL_ROUTE ? "dst" : "addr",
				 kind == RTD_CTL_ROUTE && is_default(e) ? "default"
									 : addr_str(e, &e->addr, a));
			if (kind != RTD_CTL_NEIGHBOUR)
				json_u64("prefixlen", e->prefixlen);
			if (kind == RTD_CTL_ROUTE) {
				if (e->has_gw)
					json_str("gateway", addr_str(e, &e->gw, a));
				json_u64("metric", e->metric);
			}
			if (kind == RTD_CTL_NEIGHBOUR) {
				snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0],
					 e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5]);
				if (has_lladdr(e))
					json_str("lladdr", mac);
				json_str("state", state_str(e->state));
			}
			json_obj_close();
		}
		json_arr_close();
	}
	json_end();
}

static const struct verb verbs[] = { { "show", 0 }, { "list", 0 } };

int do_neigh(struct rtctl *c, int argc, char **argv)
{
	const struct rtd_ctl_rep *rep;
	int err;

	if (argc && LOOKUP("neigh: ", argv[0], verbs) < 0)
		return EXIT_USAGE;
	err = client_do(c, RTD_CTL_NEIGH, NULL, "neigh", &rep);
	if (err)
		return err;
	if (c->json)
		print_json((const struct rtd_ctl_neigh *)(rep + 1), rep->count, c->pretty);
	else
		print_text((const struct rtd_ctl_neigh *)(rep + 1), rep->count);
	return 0;
}
