/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The RT application interface.  An application sees each datagram that
 * arrives on an RT port as a zero-copy view into the receive frame, and sends
 * with rtd_send() (copying a payload into a fresh frame) or rtd_forward()
 * (reusing the received frame in place: no copy at all).
 *
 * Everything here runs on the RT thread: callbacks must not block, allocate
 * or make system calls.
 */
#ifndef RTD_APP_H
#define RTD_APP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct portset;
struct rtd_ctl_call;

/* An IPv4 or IPv6 UDP endpoint; v4 addresses are stored as ::ffff:a.b.c.d. */
struct rtd_ep {
	struct in6_addr addr;
	uint16_t port; /* host order */
	uint8_t family; /* AF_INET or AF_INET6 */
};

struct rtd_flow {
	struct rtd_ep src; /* must be one of the interface's own addresses */
	struct rtd_ep dst;
};

/* A received datagram: a view into the receive frame, valid during rx(). */
struct rtd_pkt {
	uint8_t *payload; /* writable: applications may rewrite in place */
	uint16_t len;
	uint16_t cap;     /* what the frame holds from payload on: len may grow to it */
	uint16_t vlan_tci; /* 0 when untagged */
	uint16_t queue;
	struct rtd_flow flow; /* as received: src is the peer */
	uint64_t rx_ns; /* CLOCK_MONOTONIC when the RT loop took it */
	/*
	 * rtd_forward(): counters to bump when the frame leaves, at once or
	 * once the kernel has resolved its next hop (never if it expires).
	 * RT-thread counters (an rtd_app_counter's value, say); NULL: none.
	 */
	uint64_t *sent[2];
	/* Private to rtd. */
	uint64_t frame;
	bool consumed;
};

struct rtd_io; /* one per RX queue, owned by the RT loop */

/* Counters an application shows in `rtctl stats`. */
#define RTD_APP_MAX_COUNTERS 24
struct rtd_app_counter {
	const char *name;
	uint64_t value; /* single writer (the RT thread); readers load relaxed */
};

/*
 * What the daemon offers an application off the RT path (init, fini and
 * its own threads): the RT ports it was given, steering of single ports, and
 * the interface's own addresses, as the kernel has them.
 */
struct rtd_app_env {
	const struct portset *ports;
	int (*steer)(void *ctx, uint16_t port, bool on);
	int (*local_addr)(void *ctx, int family, struct in6_addr *out);
	/* Whether a (v4-mapped for AF_INET) is one of the interface's addresses now. */
	bool (*is_local)(void *ctx, int family, const struct in6_addr *a);
	void *ctx;
	/* The instance's state path, STATE_DIR/IF-NETNS.state: an application
	 * keeps what must survive a restart under it, with a suffix of its own
	 * (NULL: nothing is kept). */
	const char *state;
	const void *conf; /* the application's own settings (the relay's: relay_conf) */
};

struct rtd_app {
	const struct rtd_app_ops *ops;
	const struct rtd_app_env *env;
	void *priv;
	unsigned ncounters;
	struct rtd_app_counter counters[RTD_APP_MAX_COUNTERS];
};

struct rtd_app_ops {
	const char *name;
	/* Off the RT path, before the loop starts: allocate everything here. */
	int (*init)(struct rtd_app *app);
	/* One datagram on an RT port. */
	void (*rx)(struct rtd_app *app, struct rtd_io *io, struct rtd_pkt *pkt);
	/* Optional: called once per loop iteration per queue with the time. */
	void (*poll)(struct rtd_app *app, struct rtd_io *io, uint64_t now_ns);
	void (*fini)(struct rtd_app *app);
	/* Optional, off the RT path: calls for `rtctl calls`; count or -errno. */
	int (*calls)(struct rtd_app *app, struct rtd_ctl_call *out, unsigned max);
};

/*
 * Send len bytes of payload as one UDP datagram.  Returns 0, or -ENOBUFS (no
 * free frame or TX ring full), -EMSGSIZE (over the MTU), -EHOSTUNREACH (no
 * route), -EAGAIN (neighbour unresolved: held and sent once the kernel has
 * resolved it, or dropped and counted after a timeout).
 */
int rtd_send(struct rtd_io *io, const struct rtd_flow *flow, const void *payload,
	     size_t len);

/*
 * Send pkt's payload (possibly rewritten in place, its length changed up to
 * pkt->cap) with new addresses, reusing the receive frame.  Return values as rtd_send(); on
 * success or -EAGAIN the frame belongs to rtd and pkt must not be touched.
 */
int rtd_forward(struct rtd_io *io, struct rtd_pkt *pkt, const struct rtd_flow *flow);

/* Registry of built-in applications, by name. */
const struct rtd_app_ops *rtd_app_find(const char *name);
/* Comma-separated names of all applications, for messages. */
const char *rtd_app_names(void);

/* Single writer: a plain relaxed load/store, no locked instruction. */
static inline void rtd_app_counter_add(struct rtd_app *app, unsigned i, uint64_t n)
{
	uint64_t *v = &app->counters[i].value;

	__atomic_store_n(v, __atomic_load_n(v, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

#endif
