// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The per-frame egress gate, for kernels with BPF qdiscs (CONFIG_NET_SCH_BPF,
 * Linux 6.16+): a FIFO root qdisc whose dequeue asks a shared map whether the
 * kernel may transmit now.  rtd's RT loop closes it with one store per
 * transmit burst, where the TBF gate needs a netlink round trip per change;
 * the qdisc reopens by itself through its watchdog, so nothing has to be
 * kicked and a dead rtd cannot leave it closed.
 *
 * Built against local, CO-RE relocated definitions of the few kernel types
 * it touches: the build host's kernel need not have BPF qdiscs.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include <rtd/gate_shm.h>

#define NET_XMIT_SUCCESS 0x00
#define NET_XMIT_DROP 0x01
/* How far a paced kernel may run ahead after an idle spell. */
#define RATE_BURST_NS 1000000ull

struct sk_buff {
	unsigned int len;
	char cb[48];
} __attribute__((preserve_access_index));

struct qdisc_skb_head {
	__u32 qlen;
} __attribute__((preserve_access_index));

struct gnet_stats_queue {
	__u32 backlog;
	__u32 drops;
	__u32 overlimits;
} __attribute__((preserve_access_index));

struct Qdisc {
	unsigned int limit;
	struct qdisc_skb_head q;
	struct gnet_stats_queue qstats;
} __attribute__((preserve_access_index));

/* Defined, not declared: libbpf compares kfunc prototypes by kind. */
struct bpf_sk_buff_ptr {
	struct sk_buff *skb;
};
struct nlattr {
	__u16 nla_len;
};
struct netlink_ext_ack {
	const char *_msg;
};

/* libbpf matches members by name against the kernel's Qdisc_ops. */
struct Qdisc_ops {
	int (*enqueue)(struct sk_buff *skb, struct Qdisc *sch, struct bpf_sk_buff_ptr *to_free);
	struct sk_buff *(*dequeue)(struct Qdisc *sch);
	int (*init)(struct Qdisc *sch, struct nlattr *opt, struct netlink_ext_ack *extack);
	void (*reset)(struct Qdisc *sch);
	void (*destroy)(struct Qdisc *sch);
	char id[16];
};

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))
#endif

/* Debian 12's UAPI headers predate the graph types; the kernel knows
 * them by name and size (6.4+ layout). */
struct bpf_list_head {
	__u64 opaque[2];
} __attribute__((aligned(8)));
struct bpf_list_node {
	__u64 opaque[3];
} __attribute__((aligned(8)));

#define __kptr __attribute__((btf_type_tag("kptr")))
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))

extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node,
				   void *meta, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern void bpf_qdisc_skb_drop(struct sk_buff *skb, struct bpf_sk_buff_ptr *to_free) __ksym;
extern void bpf_qdisc_watchdog_schedule(struct Qdisc *sch, __u64 expire, __u64 delta_ns) __ksym;
extern void bpf_qdisc_bstats_update(struct Qdisc *sch, const struct sk_buff *skb) __ksym;
extern void bpf_kfree_skb(struct sk_buff *skb) __ksym;

/* An open-coded loop: verified once, not once per turn. */
struct bpf_iter_num {
	__u64 opaque[1];
} __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

struct gate_skb {
	struct bpf_list_node node;
	struct sk_buff __kptr *skb;
};

struct gate_queue {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(gate_skb, node);
	__u64 next_ns; /* pacing: when the next byte may leave */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct rtd_gate_shm);
} gate_shm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gate_queue);
} gate_queue SEC(".maps");

static __always_inline __u32 pkt_len(const struct sk_buff *skb)
{
	/* qdisc_skb_cb's first field: the length on the wire, GSO included. */
	return *(const __u32 *)skb->cb;
}

SEC("struct_ops/gate_enqueue")
int BPF_PROG(gate_enqueue, struct sk_buff *skb, struct Qdisc *sch, struct bpf_sk_buff_ptr *to_free)
{
	__u32 key = 0, len = pkt_len(skb);
	struct rtd_gate_shm *s = bpf_map_lookup_elem(&gate_shm, &key);
	struct gate_queue *q = bpf_map_lookup_elem(&gate_queue, &key);
	struct gate_skb *n;

	if (!s || !q || sch->q.qlen >= sch->limit)
		goto drop;
	n = bpf_obj_new_impl(bpf_core_type_id_local(struct gate_skb), NULL);
	if (!n)
		goto drop;
	skb = bpf_kptr_xchg(&n->skb, skb);
	if (skb) /* a fresh node holds nothing: unreachable, but the verifier asks */
		bpf_qdisc_skb_drop(skb, to_free);
	bpf_spin_lock(&q->lock);
	bpf_list_push_back_impl(&q->head, &n->node, NULL, 0);
	bpf_spin_unlock(&q->lock);
	sch->q.qlen++;
	sch->qstats.backlog += len;
	if (rtd_gate_closed_until(s, bpf_ktime_get_ns())) {
		s->held_pkts++;
		s->held_bytes += len;
	}
	return NET_XMIT_SUCCESS;
drop:
	if (s)
		s->drops++;
	sch->qstats.drops++;
	bpf_qdisc_skb_drop(skb, to_free);
	return NET_XMIT_DROP;
}

SEC("struct_ops/gate_dequeue")
struct sk_buff *BPF_PROG(gate_dequeue, struct Qdisc *sch)
{
	__u32 key = 0, len;
	struct rtd_gate_shm *s = bpf_map_lookup_elem(&gate_shm, &key);
	struct gate_queue *q = bpf_map_lookup_elem(&gate_queue, &key);
	struct sk_buff *skb = NULL;
	struct bpf_list_node *node;
	struct gate_skb *n;
	__u64 now, until, rate;

	if (!s || !q || !sch->q.qlen)
		return NULL;
	now = bpf_ktime_get_ns();
	until = rtd_gate_closed_until(s, now);
	rate = now < s->lease_ns ? s->rate_Bps : 0;
	if (!until && rate && now < q->next_ns)
		until = q->next_ns;
	if (until) {
		s->waits++;
		sch->qstats.overlimits++;
		bpf_qdisc_watchdog_schedule(sch, until, 0);
		return NULL;
	}
	bpf_spin_lock(&q->lock);
	node = bpf_list_pop_front(&q->head);
	bpf_spin_unlock(&q->lock);
	if (!node)
		return NULL;
	n = container_of(node, struct gate_skb, node);
	skb = bpf_kptr_xchg(&n->skb, skb);
	bpf_obj_drop_impl(n, NULL);
	if (!skb)
		return NULL;
	len = pkt_len(skb);
	sch->q.qlen--;
	sch->qstats.backlog -= len;
	bpf_qdisc_bstats_update(sch, skb);
	s->sent_pkts++;
	s->sent_bytes += len;
	if (rate) {
		__u64 next = q->next_ns + RATE_BURST_NS < now ? now - RATE_BURST_NS : q->next_ns;

		q->next_ns = next + (__u64)len * 1000000000ull / rate;
	}
	return skb;
}

SEC("struct_ops/gate_init")
int BPF_PROG(gate_init, struct Qdisc *sch, struct nlattr *opt, struct netlink_ext_ack *extack)
{
	__u32 key = 0;
	struct rtd_gate_shm *s = bpf_map_lookup_elem(&gate_shm, &key);

	sch->limit = s && s->limit ? s->limit : 1000;
	return 0;
}

/*
 * Queued packets go when the qdisc is reset or replaced.  Bounded by the
 * largest limit rtd sets; the rest would be freed with the program.
 */
SEC("struct_ops/gate_reset")
void BPF_PROG(gate_reset, struct Qdisc *sch)
{
	__u32 key = 0;
	struct gate_queue *q = bpf_map_lookup_elem(&gate_queue, &key);
	struct bpf_iter_num it;

	if (!q)
		return;
	bpf_iter_num_new(&it, 0, RTD_GATE_BPF_MAX_LIMIT);
	while (bpf_iter_num_next(&it)) {
		struct sk_buff *skb = NULL;
		struct bpf_list_node *node;
		struct gate_skb *n;

		bpf_spin_lock(&q->lock);
		node = bpf_list_pop_front(&q->head);
		bpf_spin_unlock(&q->lock);
		if (!node)
			break;
		n = container_of(node, struct gate_skb, node);
		skb = bpf_kptr_xchg(&n->skb, skb);
		if (skb)
			bpf_kfree_skb(skb);
		bpf_obj_drop_impl(n, NULL);
	}
	bpf_iter_num_destroy(&it);
	sch->q.qlen = 0;
	sch->qstats.backlog = 0;
}

/* reset has emptied the queue; the kernel cancels the watchdog. */
SEC("struct_ops/gate_destroy")
void BPF_PROG(gate_destroy, struct Qdisc *sch)
{
}

SEC(".struct_ops")
struct Qdisc_ops rtd_gate = {
	.enqueue = (void *)gate_enqueue,
	.dequeue = (void *)gate_dequeue,
	.init = (void *)gate_init,
	.reset = (void *)gate_reset,
	.destroy = (void *)gate_destroy,
	.id = "rtd_gate",
};

char LICENSE[] SEC("license") = "Dual BSD/GPL"; /* GPL-compatible: the qdisc kfuncs are GPL-only */
