// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gate/root.h"

#define LIMIT_BYTES (16u << 20) /* TBF queue: TCP's small queues stay far below */

int root_open(struct root *r, int ifindex)
{
	int err;

	r->ifindex = ifindex;
	r->kick_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (r->kick_fd < 0)
		return -errno;
	err = nl_open(&r->nl, 0, false, 0);
	if (err) {
		close(r->kick_fd);
		r->kick_fd = -1;
	}
	return err;
}

void root_close(struct root *r)
{
	nl_close(&r->nl);
	if (r->kick_fd >= 0)
		close(r->kick_fd);
	r->kick_fd = -1;
}

struct qreq {
	struct nl_req r;
	char buf[512] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static void req_init(struct root *r, struct qreq *q, int type, unsigned flags)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = r->ifindex,
			   .tcm_parent = TC_H_ROOT, .tcm_handle = ROOT_HANDLE };

	nl_req_init(&q->r, q->buf, sizeof(q->buf), type, flags, &t, sizeof(t));
}

int root_tbf(struct root *r, uint64_t bps, bool create)
{
	struct tc_tbf_qopt o = { 0 };
	uint64_t Bps = bps / 8;
	/* Closed: one frame may still leave (TBF drops what exceeds its burst).
	 * Open: 1 ms at the rate, and at least a 64 KiB GSO packet whole. */
	uint32_t burst = bps == ROOT_CLOSED_BPS ? 1600
			 : (uint32_t)(Bps / 1000 > 262144 ? Bps / 1000 : 262144);
	struct rtattr *opts;
	struct qreq q;

	req_init(r, &q, RTM_NEWQDISC, create ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	nl_put(&q.r, TCA_KIND, "tbf", 4);
	opts = nl_nest_begin(&q.r, TCA_OPTIONS);
	o.rate.rate = Bps > UINT32_MAX ? UINT32_MAX : (uint32_t)Bps;
	o.rate.linklayer = TC_LINKLAYER_ETHERNET; /* no rate table needed */
	o.limit = LIMIT_BYTES;
	nl_put(&q.r, TCA_TBF_PARMS, &o, sizeof(o));
	nl_put(&q.r, TCA_TBF_RATE64, &Bps, sizeof(Bps));
	nl_put_u32(&q.r, TCA_TBF_BURST, burst);
	nl_nest_end(&q.r, opts);
	return nl_talk(&r->nl, &q.r);
}

int root_set_kind(struct root *r, const char *kind)
{
	struct qreq q;

	req_init(r, &q, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
	nl_put(&q.r, TCA_KIND, kind, strlen(kind) + 1);
	return nl_talk(&r->nl, &q.r);
}

int root_remove(struct root *r)
{
	struct qreq q;

	req_init(r, &q, RTM_DELQDISC, 0);
	return nl_talk(&r->nl, &q.r);
}

struct seen {
	const struct tcmsg *t;
	char kind[32];
	uint32_t backlog;
};

static void parse_qdisc(const struct nlmsghdr *h, struct seen *s)
{
	const struct rtattr *tb[TCA_MAX + 1];

	s->t = NLMSG_DATA(h);
	nl_attrs(tb, TCA_MAX, TCA_RTA(s->t), h->nlmsg_len - NLMSG_LENGTH(sizeof(*s->t)));
	snprintf(s->kind, sizeof(s->kind), "%.*s",
		 tb[TCA_KIND] ? (int)RTA_PAYLOAD(tb[TCA_KIND]) : 0,
		 tb[TCA_KIND] ? (const char *)RTA_DATA(tb[TCA_KIND]) : "");
	s->backlog = tb[TCA_STATS] && RTA_PAYLOAD(tb[TCA_STATS]) >= sizeof(struct tc_stats)
			     ? ((const struct tc_stats *)RTA_DATA(tb[TCA_STATS]))->backlog
			     : 0;
}

struct walk {
	int (*fn)(const struct seen *s, void *arg);
	void *arg;
};

static int walk_one(const struct nlmsghdr *h, void *arg)
{
	struct walk *w = arg;
	struct seen s;

	if (h->nlmsg_type != RTM_NEWQDISC || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct tcmsg)))
		return 0;
	parse_qdisc(h, &s);
	return w->fn(&s, w->arg);
}

/* Every qdisc in the namespace; fn's first non-zero result ends the walk. */
static int walk(struct root *r, int (*fn)(const struct seen *s, void *arg), void *arg)
{
	struct walk w = { fn, arg };
	struct tcmsg t = { .tcm_family = AF_UNSPEC };
	struct qreq q;

	nl_req_init(&q.r, q.buf, sizeof(q.buf), RTM_GETQDISC, 0, &t, sizeof(t));
	return nl_dump(&r->nl, &q.r, walk_one, &w);
}

struct want_root {
	int ifindex;
	char *kind;
	size_t klen;
	uint32_t *handle, *backlog;
};

static int is_root(const struct seen *s, void *arg)
{
	struct want_root *w = arg;

	if (s->t->tcm_ifindex != w->ifindex || s->t->tcm_parent != TC_H_ROOT)
		return 0;
	snprintf(w->kind, w->klen, "%s", s->kind);
	*w->handle = s->t->tcm_handle;
	*w->backlog = s->backlog;
	return 1;
}

int root_query(struct root *r, char *kind, size_t klen, uint32_t *handle, uint32_t *backlog)
{
	struct want_root w = { r->ifindex, kind, klen, handle, backlog };
	int ret = walk(r, is_root, &w);

	return ret < 0 ? ret : ret ? 0 : -ENOENT;
}

static int has_kind(const struct seen *s, void *arg)
{
	return !strcmp(s->kind, arg);
}

int root_kind_in_use(struct root *r, const char *kind)
{
	return walk(r, has_kind, (void *)kind);
}

int root_kick(struct root *r, const uint8_t mac[6])
{
	uint8_t frame[60] = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = r->ifindex,
				   .sll_halen = ETH_ALEN };

	memcpy(frame, mac, 6);
	memcpy(frame + 6, mac, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	memcpy(sll.sll_addr, mac, 6);
	return sendto(r->kick_fd, frame, sizeof(frame), MSG_DONTWAIT, (struct sockaddr *)&sll,
		      sizeof(sll)) == sizeof(frame);
}
