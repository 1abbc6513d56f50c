// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <stdio.h>
#include <string.h>

#include "ethtool.h"
#include "lib/statefile.h"
#include "log.h"
#include "rxq.h"

static int rule_add(struct rxq *r, uint16_t port, uint32_t flow, uint32_t *loc)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_SRXCLSRLINS };
	int err;

	nfc.fs.flow_type = flow;
	nfc.fs.ring_cookie = r->queue;
	nfc.fs.location = RX_CLS_LOC_ANY;
	if (flow == UDP_V4_FLOW) {
		nfc.fs.h_u.udp_ip4_spec.pdst = htons(port);
		nfc.fs.m_u.udp_ip4_spec.pdst = 0xffff;
	} else {
		nfc.fs.h_u.udp_ip6_spec.pdst = htons(port);
		nfc.fs.m_u.udp_ip6_spec.pdst = 0xffff;
	}
	err = ethtool_ioctl(r->ifname, &nfc);
	if (!err)
		*loc = nfc.fs.location;
	return err;
}

static void rule_del(const char *ifname, uint32_t loc)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_SRXCLSRLDEL };

	nfc.fs.location = loc;
	ethtool_ioctl(ifname, &nfc);
}

static void state_save(const struct rxq *r)
{
	struct statefile_w w;

	if (statefile_begin(&w, r->state_path))
		return;
	for (unsigned i = 0; i < r->nrules; i++)
		statefile_printf(&w, "rule %u\n", r->loc[i]);
	statefile_commit(&w);
}

struct leftovers {
	const char *ifname;
	unsigned n;
};

static int restore_line(void *arg, char *line)
{
	struct leftovers *l = arg;
	unsigned loc;

	if (sscanf(line, "rule %u", &loc) == 1) {
		rule_del(l->ifname, loc);
		l->n++;
	}
	return 0;
}

static void add_port(struct rxq *r, uint16_t port)
{
	static const uint32_t flows[] = { UDP_V4_FLOW, UDP_V6_FLOW };

	for (int i = 0; i < 2 && r->supported; i++) {
		uint32_t loc;
		int err;

		if (r->nrules == RXQ_MAX_RULES) {
			log_err("rxq", "%s: more than %d steering rules; port %u not steered",
				r->ifname, RXQ_MAX_RULES, port);
			return;
		}
		err = rule_add(r, port, flows[i], &loc);
		if (err == -EOPNOTSUPP || err == -EINVAL) {
			/* The first refusal says it all; IPv6 rules may be unsupported alone. */
			if (i == 0) {
				log_warn("rxq", "%s cannot steer by UDP port (ntuple: %s): RT and kernel "
						"frames share its RX queues",
					 r->ifname, strerror(-err));
				r->supported = false;
			}
			return;
		}
		if (err) {
			log_err("rxq", "%s: steering port %u to queue %d: %s", r->ifname, port, r->queue,
				strerror(-err));
			return;
		}
		r->port[r->nrules] = port;
		r->loc[r->nrules++] = loc;
	}
}

int rxq_open(struct rxq *r, const char *ifname, int queue, const struct portset *ports,
	     const char *state_path)
{
	struct leftovers left = { ifname, 0 };

	memset(r, 0, sizeof(*r));
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	snprintf(r->state_path, sizeof(r->state_path), "%s", state_path);
	r->queue = queue;
	if (statefile_read(state_path, restore_line, &left) != -ENOENT) {
		statefile_remove(state_path);
		if (left.n)
			log_info("rxq", "removed %u steering rules an earlier rtd left on %s", left.n,
				 ifname);
	}
	if (queue < 0)
		return 0;
	r->supported = true;
	for (int p = portset_next(ports, 1); p >= 0 && r->supported; p = portset_next(ports, p + 1))
		add_port(r, p);
	if (r->supported)
		log_info("rxq", "%s: RT ports steered to RX queue %d (%u rules)", ifname, queue,
			 r->nrules);
	state_save(r);
	return 0;
}

void rxq_update(struct rxq *r, const struct portset *ports)
{
	unsigned keep = 0;

	if (r->queue < 0 || !r->supported)
		return;
	for (unsigned i = 0; i < r->nrules; i++) {
		if (portset_has(ports, r->port[i])) {
			r->port[keep] = r->port[i];
			r->loc[keep++] = r->loc[i];
		} else {
			rule_del(r->ifname, r->loc[i]);
		}
	}
	r->nrules = keep;
	for (int p = portset_next(ports, 1); p >= 0; p = portset_next(ports, p + 1)) {
		bool have = false;

		for (unsigned i = 0; i < r->nrules && !have; i++)
			have = r->port[i] == p;
		if (!have)
			add_port(r, p);
	}
	state_save(r);
}

void rxq_close(struct rxq *r)
{
	for (unsigned i = 0; i < r->nrules; i++)
		rule_del(r->ifname, r->loc[i]);
	r->nrules = 0;
	statefile_remove(r->state_path);
}
