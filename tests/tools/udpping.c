// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udpping: UDP round-trip latency, one datagram in flight at a time.
 * Each datagram carries a sequence number and its send time; replies are
 * matched by sequence so late echoes of earlier probes are not miscounted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank. */
static double pct(const uint64_t *v, size_t n, double p)
{
	size_t r;

	if (!n)
		return 0;
	r = (size_t)(p / 100.0 * n + 0.999999);
	if (r < 1)
		r = 1;
	if (r > n)
		r = n;
	return v[r - 1] / 1000.0;
}

static void usage(void)
{
	fprintf(stderr, "usage: udpping [-6] -d ADDR -p PORT [-s SIZE] [-n COUNT] [-t SECONDS]\n"
			"               [-r RATE_PPS] [-c CPU] [-w WARMUP] [-T TIMEOUT_MS] [-j] [-o FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dst = NULL, *out = NULL;
	int port = 0, size = 64, cpu = -1, v6 = 0, json = 0, opt;
	long count = 1000, warmup = 0, timeout_ms = 1000;
	double seconds = 0, rate = 0;
	struct sockaddr_storage ss = { 0 };
	socklen_t sslen;
	uint64_t *rtt, deadline = 0;
	size_t nrtt = 0, cap;
	long sent = 0, lost = 0;
	char buf[65536];
	int fd;

	while ((opt = getopt(argc, argv, "6d:p:s:n:t:r:c:w:T:jo:")) != -1) {
		switch (opt) {
		case '6': v6 = 1; break;
		case 'd': dst = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 's': size = atoi(optarg); break;
		case 'n': count = atol(optarg); break;
		case 't': seconds = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'w': warmup = atol(optarg); break;
		case 'T': timeout_ms = atol(optarg); break;
		case 'j': json = 1; break;
		case 'o': out = optarg; break;
		default: usage();
		}
	}
	if (!dst || port <= 0 || port > 65535 || size < 16 || size > 65000 || count <= 0)
		usage();
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (v6 || strchr(dst, ':')) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, dst, &s6->sin6_addr) != 1)
			usage();
		sslen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, dst, &s4->sin_addr) != 1)
			usage();
		sslen = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sslen)) {
		perror("udpping: socket");
		return 1;
	}
	cap = count + warmup;
	if (seconds > 0 && rate > 0 && (size_t)(seconds * rate) + warmup > cap)
		cap = (size_t)(seconds * rate) + warmup;
	if (seconds > 0 && rate <= 0)
		cap = 10000000; /* time-bounded run: up to 10M samples */
	rtt = calloc(cap, sizeof(*rtt));
	if (!rtt)
		return 1;
	memset(buf, 0xa5, sizeof(buf));
	if (seconds > 0)
		deadline = now_ns() + (uint64_t)(seconds * 1e9);

	for (uint64_t seq = 0;; seq++) {
		uint64_t t0 = now_ns(), hdr[2] = { seq, t0 }, wait_until;

		if (deadline ? t0 >= deadline || (size_t)seq >= cap : (long)seq >= count + warmup)
			break;
		memcpy(buf, hdr, sizeof(hdr));
		if (send(fd, buf, size, 0) < 0) {
			lost++;
			continue;
		}
		sent++;
		wait_until = t0 + timeout_ms * 1000000ull;
		for (;;) {
			uint64_t now = now_ns(), got[2];
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			ssize_t len;

			if (now >= wait_until) {
				if ((long)seq >= warmup)
					lost++;
				break;
			}
			if (poll(&pfd, 1, (int)((wait_until - now) / 1000000) + 1) <= 0)
				continue;
			len = recv(fd, buf + 32768, 32768, MSG_DONTWAIT);
			if (len < (ssize_t)sizeof(got))
				continue; /* ICMP errors show as ECONNREFUSED: keep waiting */
			memcpy(got, buf + 32768, sizeof(got));
			if (got[0] != seq)
				continue;
			if ((long)seq >= warmup)
				rtt[nrtt++] = now_ns() - got[1];
			break;
		}
		if (rate > 0) {
			uint64_t next = t0 + (uint64_t)(1e9 / rate);

			while (now_ns() < next) {
				struct timespec ts = { 0, 0 };
				uint64_t left = next - now_ns();

				if (left > 200000) {
					ts.tv_nsec = left - 100000;
					nanosleep(&ts, NULL);
				}
			}
		}
	}
	if (out) {
		FILE *f = fopen(out, "w");

		if (f) {
			for (size_t i = 0; i < nrtt; i++)
				fprintf(f, "%.3f\n", rtt[i] / 1000.0);
			fclose(f);
		}
	}
	qsort(rtt, nrtt, sizeof(*rtt), cmp_u64);
	sent -= warmup < sent ? warmup : sent;
	if (json)
		printf("{\"sent\": %ld, \"received\": %zu, \"lost\": %ld, \"min_us\": %.1f, "
		       "\"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f, "
		       "\"max_us\": %.1f}\n",
		       sent, nrtt, lost, nrtt ? rtt[0] / 1000.0 : 0, pct(rtt, nrtt, 50),
		       pct(rtt, nrtt, 90), pct(rtt, nrtt, 99), pct(rtt, nrtt, 99.9),
		       nrtt ? rtt[nrtt - 1] / 1000.0 : 0);
	else
		printf("%s:%d %d bytes: sent %ld received %zu lost %ld  rtt us min %.1f p50 %.1f "
		       "p90 %.1f p99 %.1f p99.9 %.1f max %.1f\n",
		       dst, port, size, sent, nrtt, lost, nrtt ? rtt[0] / 1000.0 : 0,
		       pct(rtt, nrtt, 50), pct(rtt, nrtt, 90), pct(rtt, nrtt, 99),
		       pct(rtt, nrtt, 99.9), nrtt ? rtt[nrtt - 1] / 1000.0 : 0);
	free(rtt);
	return nrtt ? 0 : 1;
}
