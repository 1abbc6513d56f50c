// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udpecho: the kernel-socket path rtd is compared with — a UDP reflector,
 * optionally pinned, SCHED_FIFO and busy-polling, as a user would tune it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	int port = 0, cpu = -1, prio = 0, busy = 0, v6 = 0, opt, fd, one = 1;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	struct sigaction act = { .sa_handler = on_signal };
	static char buf[65536];

	while ((opt = getopt(argc, argv, "6a:p:c:f:b")) != -1) {
		switch (opt) {
		case '6': v6 = 1; break;
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'f': prio = atoi(optarg); break;
		case 'b': busy = 1; break;
		default:
			fprintf(stderr, "usage: udpecho [-6] [-a ADDR] -p PORT [-c CPU] [-f PRIO] [-b]\n");
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
	while (!stop) {
		struct sockaddr_in6 from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), busy ? MSG_DONTWAIT : 0,
				     (struct sockaddr *)&from, &flen);

		if (n < 0)
			continue;
		sendto(fd, buf, n, 0, (struct sockaddr *)&from, flen);
	}
	close(fd);
	return 0;
}
