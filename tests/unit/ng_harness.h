/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ng commands without sockets or threads, for the unit tests: a relay
 * over ports 30000-30009 whose steering and addresses are stubs (the
 * relay's address is 198.18.0.1 and 2001:2::1), messages in, replies out.
 */
#ifndef NG_HARNESS_H
#define NG_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rtd/portset.h>

#include "apps/relay/ng.h"

static struct relay *relay;
static struct ng *ng;
static struct portset ports;
static int steered[65536];
static struct rtd_app_env env;
static struct relay_conf conf;
static struct sockaddr_storage lo, stranger;
static char out[65536];

static int stub_steer(void *ctx, uint16_t port, bool on)
{
	(void)ctx;
	steered[port] = on;
	return 0;
}

static int stub_addr(void *ctx, int family, struct in6_addr *a)
{
	(void)ctx;
	memset(a, 0, sizeof(*a));
	if (family == AF_INET6)
		return inet_pton(AF_INET6, "2001:2::1", a) == 1 ? 0 : -EINVAL;
	a->s6_addr[10] = a->s6_addr[11] = 0xff;
	inet_pton(AF_INET, "198.18.0.1", &a->s6_addr[12]);
	return 0;
}

static void from(struct sockaddr_storage *ss, const char *ip)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &s4->sin_addr);
}

static int setup_ports(const char *spec)
{
	char err[64];

	relay = calloc(1, sizeof(*relay));
	assert_int_equal(ring_init(&relay->cmds, 4096, sizeof(struct rcmd)), 0);
	assert_int_equal(portset_parse(spec, &ports, err, sizeof(err)), 0);
	conf = (struct relay_conf){ .ng_listen = "127.0.0.1:2223", .media_timeout = 60 };
	assert_int_equal(allow_parse(&conf.ng_allow, "127.0.0.0/8,::1/128", err, sizeof(err)), 0);
	env = (struct rtd_app_env){ .ports = &ports, .steer = stub_steer, .local_addr = stub_addr,
				    .conf = &conf };
	memset(steered, 0, sizeof(steered));
	ng = ng_new(relay, &env);
	assert_non_null(ng);
	from(&lo, "127.0.0.1");
	from(&stranger, "198.18.0.9");
	return 0;
}

/* One more --interface, as the relay's settings table takes it. */
static __attribute__((unused)) int config_iface(const char *spec, char *err, size_t errlen)
{
	return setting_apply(settings_find(&relay_settings, "interface", false), &conf, spec, err,
			     errlen);
}

static int setup(void **state)
{
	(void)state;
	return setup_ports("30000-30009");
}

static int teardown(void **state)
{
	(void)state;
	ng_free(ng);
	ring_free(&relay->cmds);
	free(relay);
	return 0;
}

/* The reply to msg (len bytes) from src, NUL-terminated in out. */
static const char *send_raw(const char *msg, size_t len, const struct sockaddr_storage *src)
{
	int n = ng_command(ng, msg, len, src, out, sizeof(out) - 1);

	out[n > 0 ? n : 0] = 0;
	return out;
}

/* What the RT thread would take from the ring: how many commands were op. */
static __attribute__((unused)) unsigned drain(unsigned op)
{
	struct rcmd c;
	unsigned n = 0;

	while (!ring_pop(&relay->cmds, &c))
		n += c.op == op;
	return n;
}

static const char *send_msg(const char *msg, const struct sockaddr_storage *src)
{
	return send_raw(msg, strlen(msg), src);
}

#endif
