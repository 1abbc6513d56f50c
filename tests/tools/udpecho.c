// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udpecho: the kernel-socket path rtd is compared with — a UDP reflector,
 * optionally pinned, SCHED_FIFO and busy-polling, as a user would tune it.
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

static volatile sig_atomic_t stop;

/* In-host time, kernel path: software RX timestamp to software TX timestamp. */
#define MAX_SAMPLES 4000000
static uint64_t *samples;
static size_t nsamples;

static uint64_t ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ull + t->tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(double p)
{
	size_t r = (size_t)(p / 100.0 * nsamples + 0.999999);

	if (!nsamples)
		return 0;
	if (r < 1)
		r = 1;
	return samples[(r > nsamples ? nsamples : r) - 1] / 1000.0;
}

static void write_stats(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	qsort(samples, nsamples, sizeof(*samples), cmp_u64);
	fprintf(f, "{\"count\": %zu, \"p50_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f, "
		   "\"max_us\": %.1f}\n",
		nsamples, pct(50), pct(99), pct(99.9), nsamples ? samples[nsamples - 1] / 1000.0 : 0);
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
				return ts_ns(&((struct scm_timestamping *)CMSG_DATA(c))->ts[0]);
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	int port = 0, cpu = -1, prio = 0, busy = 0, v6 = 0, opt, fd, one = 1;
	const char *out = NULL;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	struct sigaction act = { .sa_handler = on_signal };
	static char buf[65536];

	while ((opt = getopt(argc, argv, "6a:p:c:f:bo:")) != -1) {
		switch (opt) {
		case '6': v6 = 1; break;
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'f': prio = atoi(optarg); break;
		case 'b': busy = 1; break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: udpecho [-6] [-a ADDR] -p PORT [-c CPU] [-f PRIO] [-b] [-o FILE]\n"
					"  -o FILE  measure in-host time (SO_TIMESTAMPING RX to TX, software)\n"
					"           and write its percentiles to FILE as JSON on exit\n");
			return 2;
		}
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "udpecho: -p PORT is required (1-65535)\n");
		return 2;
	}
	(void)v6;
	sa.sin6_port = htons(port);
	sa.sin6_addr = in6addr_any;
	if (addr) {
		if (strchr(addr, ':')) {
			inet_pton(AF_INET6, addr, &sa.sin6_addr);
		} else {
			struct in_addr a4;

			inet_pton(AF_INET, addr, &a4);
			sa.sin6_addr.s6_addr[10] = sa.sin6_addr.s6_addr[11] = 0xff;
			memcpy(&sa.sin6_addr.s6_addr[12], &a4, 4);
		}
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			perror("udpecho: affinity");
	}
	if (prio > 0) {
		struct sched_param sp = { .sched_priority = prio };

		if (sched_setscheduler(0, SCHED_FIFO, &sp))
			perror("udpecho: SCHED_FIFO");
	}
	mlockall(MCL_CURRENT | MCL_FUTURE);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpecho: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	one = 0;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "udpecho: bind port %d: %s\n", port, strerror(errno));
		return 1;
	}
	if (out) {
		int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_TX_SOFTWARE |
			    SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_TSONLY;

		samples = calloc(MAX_SAMPLES, sizeof(*samples));
		if (!samples || setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof(flags))) {
			perror("udpecho: SO_TIMESTAMPING");
			return 1;
		}
	}
	while (!stop) {
		struct sockaddr_in6 from;
		char ctrl[512];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl) };
		uint64_t rx = 0, tx;
		ssize_t n = recvmsg(fd, &m, busy ? MSG_DONTWAIT : 0);

		if (n < 0)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); out && c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPING)
				rx = ts_ns(&((struct scm_timestamping *)CMSG_DATA(c))->ts[0]);
		sendto(fd, buf, n, 0, (struct sockaddr *)&from, m.msg_namelen);
		if (out && rx && (tx = tx_stamp(fd)) > rx && nsamples < MAX_SAMPLES)
			samples[nsamples++] = tx - rx;
	}
	if (out)
		write_stats(out);
	close(fd);
	return 0;
}
