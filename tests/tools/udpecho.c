// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udpecho: the kernel-socket path rtd is compared with — a UDP reflector,
 * optionally pinned, SCHED_FIFO and busy-polling, as a user would tune it.
 * With -l, a plain kernel listener that counts what reaches the kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tool.h"

static volatile sig_atomic_t stop;

/* In-host time, kernel path: software RX timestamp to software TX timestamp. */
#define MAX_SAMPLES 4000000
static uint64_t *samples;
static size_t nsamples;

static void write_stats(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	qsort(samples, nsamples, sizeof(*samples), tool_cmp_u64);
	fprintf(f, "{\"count\": %zu, \"p50_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f, "
		   "\"max_us\": %.1f}\n",
		nsamples, tool_pct(samples, nsamples, 500), tool_pct(samples, nsamples, 990),
		tool_pct(samples, nsamples, 999), nsamples ? samples[nsamples - 1] / 1000.0 : 0);
	fclose(f);
}

/* The TX timestamp of what we just sent, from the error queue. */
static uint64_t tx_stamp(int fd)
{
	char ctrl[512];
	struct msghdr m = { .msg_control = ctrl, .msg_controllen = sizeof(ctrl) };

	for (int tries = 0; tries < 1000; tries++) {
		m.msg_controllen = sizeof(ctrl);
		if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPING)
				return tool_ts_ns(&((struct scm_timestamping *)CMSG_DATA(c))->ts[0]);
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: udpecho [-6] [-a ADDR] -p PORT [-c CPU] [-f PRIO] [-b] [-l] [-o FILE]\n"
			"  -6       IPv6 only (default: IPv4 and IPv6 on one socket)\n"
			"  -a ADDR  bind to ADDR (default: any)\n"
			"  -c CPU   pin to CPU\n"
			"  -f PRIO  SCHED_FIFO at PRIO (1-99)\n"
			"  -b       busy-poll: spin on MSG_DONTWAIT instead of blocking\n"
			"  -l       listen only: reply to nothing, print the datagram count on exit\n"
			"  -o FILE  measure in-host time (SO_TIMESTAMPING RX to TX, software)\n"
			"           and write its percentiles to FILE as JSON on exit\n");
	exit(2);
}

/* One socket for both families unless -6: IPv4 arrives as v4-mapped. */
static int parse_addr(const char *addr, int v6only, struct in6_addr *a6)
{
	struct in_addr a4;

	if (!addr) {
		*a6 = in6addr_any;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, a6) == 1)
		return 0;
	if (v6only || inet_pton(AF_INET, addr, &a4) != 1)
		return -1;
	memset(a6, 0, sizeof(*a6));
	a6->s6_addr[10] = a6->s6_addr[11] = 0xff;
	memcpy(&a6->s6_addr[12], &a4, 4);
	return 0;
}

/* What the command line asked for. */
struct opts {
	const char *addr, *out;
	int port, cpu, prio, busy, v6, listen_only;
};

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int opt;

	*o = (struct opts){ .cpu = -1 };
	while ((opt = getopt(argc, argv, "6a:p:c:f:blo:")) != -1) {
		switch (opt) {
		case '6': o->v6 = 1; break;
		case 'a': o->addr = optarg; break;
		case 'p': o->port = (int)tool_num("udpecho", "-p", optarg, 1, 65535); break;
		case 'c': o->cpu = (int)tool_num("udpecho", "-c", optarg, 0, CPU_SETSIZE - 1); break;
		case 'f': o->prio = (int)tool_num("udpecho", "-f", optarg, 1, 99); break;
		case 'b': o->busy = 1; break;
		case 'l': o->listen_only = 1; break;
		case 'o': o->out = optarg; break;
		default: usage();
		}
	}
	if (!o->port || optind != argc)
		usage();
}

/* The bound socket, timestamping if -o; -1 once said. */
static int open_socket(const struct opts *o, const struct sockaddr_in6 *sa)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), one = 1;

	if (fd < 0) {
		perror("udpecho: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	one = o->v6;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		fprintf(stderr, "udpecho: bind port %d: %s\n", o->port, strerror(errno));
		return -1;
	}
	if (o->out) {
		int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE |
			    SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY;

		samples = calloc(MAX_SAMPLES, sizeof(*samples));
		if (!samples || setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags))) {
			perror("udpecho: SO_TIMESTAMPING");
			return -1;
		}
	}
	return fd;
}

/* Echo (or, with -l, only count) until a signal; the datagrams received. */
static unsigned long long echo_run(int fd, const struct opts *o)
{
	static char buf[65536];
	unsigned long long count = 0;

	while (!stop) {
		struct sockaddr_in6 from;
		char ctrl[512];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl) };
		uint64_t rx = 0, tx;
		ssize_t n = recvmsg(fd, &m, o->busy ? MSG_DONTWAIT : 0);

		if (n < 0)
			continue;
		count++;
		if (o->listen_only)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); o->out && c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPING)
				rx = tool_ts_ns(&((struct scm_timestamping *)CMSG_DATA(c))->ts[0]);
		sendto(fd, buf, n, 0, (struct sockaddr *)&from, m.msg_namelen);
		if (o->out && rx && (tx = tx_stamp(fd)) > rx && nsamples < MAX_SAMPLES)
			samples[nsamples++] = tx - rx;
	}
	return count;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	struct sigaction act = { .sa_handler = on_signal };
	unsigned long long count;
	struct opts o;
	int fd;

	parse_opts(argc, argv, &o);
	sa.sin6_port = htons(o.port);
	if (parse_addr(o.addr, o.v6, &sa.sin6_addr)) {
		fprintf(stderr, "udpecho: -a: '%s' is not an %saddress\n", o.addr, o.v6 ? "IPv6 " : "");
		return 2;
	}
	tool_pin("udpecho", o.cpu, o.prio);
	/* No SA_RESTART: a blocking recvmsg returns EINTR and the loop sees stop. */
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	fd = open_socket(&o, &sa);
	if (fd < 0)
		return 1;
	/* After the allocations: MCL_CURRENT faults them in, so none fault while echoing. */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		perror("udpecho: mlockall");
	count = echo_run(fd, &o);
	if (o.listen_only)
		printf("%llu\n", count);
	if (o.out)
		write_stats(o.out);
	close(fd);
	return 0;
}
