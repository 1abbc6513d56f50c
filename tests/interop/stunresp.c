// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stunresp: the relay's ICE-lite responder (rtd/apps/relay/ice.c) on a
 * kernel UDP socket, for another ICE stack to run its checks against.  It
 * prints its credentials first, then one line per datagram with the
 * verdict.  Not under tests/tools/: it links ice.c, stun.c and lib/obuf.c
 * with libcrypto and zlib, which the tools' one-file rule does not;
 * tests/interop/aioice_lite.py builds and drives it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "apps/relay/ice.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: stunresp [-a ADDR] [-p PORT] [-u UFRAG -w PWD] [-r PEER_UFRAG]\n"
			"                [-n COUNT] [-t SECS]\n"
			"  -a ADDR   IPv4 address to bind (default 127.0.0.1)\n"
			"  -p PORT   UDP port (default 0: any, printed)\n"
			"  -u, -w    local ufrag and pwd (default: fresh, from ice_creds_new)\n"
			"  -r UFRAG  the peer's ufrag (default: not known)\n"
			"  -n COUNT  exit after COUNT valid checks (default: never)\n"
			"  -t SECS   exit after SECS without a datagram (default 30)\n");
	exit(2);
}

static long num(const char *opt, const char *arg, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi) {
		fprintf(stderr, "stunresp: %s: '%s' is not a number in %ld-%ld\n", opt, arg, lo, hi);
		exit(2);
	}
	return v;
}

static void copy_cred(char *dst, size_t cap, const char *opt, const char *arg)
{
	if (strlen(arg) >= cap) {
		fprintf(stderr, "stunresp: %s: '%s' is longer than %zu\n", opt, arg, cap - 1);
		exit(2);
	}
	strcpy(dst, arg);
}

static const char *kind_word(const struct ice_verdict *v)
{
	switch (v->kind) {
	case ICE_VALID:
		return "valid";
	case ICE_REFUSED:
		return "refused";
	default:
		return "ignored";
	}
}

/* One datagram in, its reply out, one line said. */
static int serve(int fd, const struct ice_creds *c, const char *peer)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	uint8_t in[2048], out[2048];
	struct rtd_ep from = { .family = AF_INET };
	struct ice_verdict v;
	ssize_t n;
	int r;

	n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&sa, &salen);
	if (n < 0)
		return -errno;
	from.addr.s6_addr[10] = from.addr.s6_addr[11] = 0xff;
	memcpy(&from.addr.s6_addr[12], &sa.sin_addr, 4);
	from.port = ntohs(sa.sin_port);
	r = ice_answer(c, peer, in, (size_t)n, &from, out, sizeof(out), &v);
	if (r > 0 && sendto(fd, out, (size_t)r, 0, (struct sockaddr *)&sa, salen) < 0)
		return -errno;
	printf("stunresp: %zd bytes from %s:%u: %s", n, inet_ntoa(sa.sin_addr), from.port,
	       kind_word(&v));
	if (v.kind == ICE_REFUSED)
		printf(" %u", v.error);
	if (v.kind == ICE_VALID)
		printf("%s priority %u", v.nominated ? " nominated" : "", v.priority);
	if (r < 0)
		printf(", no reply: %s\n", strerror(-r));
	else
		printf(r ? ", replied\n" : ", no reply\n");
	fflush(stdout);
	return v.kind == ICE_VALID;
}

int main(int argc, char **argv)
{
	const char *addr = "127.0.0.1", *peer = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct ice_creds c = { { 0 } };
	long port = 0, count = 0, secs = 30, valid = 0;
	struct timeval tv;
	socklen_t salen = sizeof(sa);
	int opt, fd, err;

	while ((opt = getopt(argc, argv, "a:p:u:w:r:n:t:h")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = num("-p", optarg, 0, 65535);
			break;
		case 'u':
			copy_cred(c.ufrag, sizeof(c.ufrag), "-u", optarg);
			break;
		case 'w':
			copy_cred(c.pwd, sizeof(c.pwd), "-w", optarg);
			break;
		case 'r':
			peer = optarg;
			break;
		case 'n':
			count = num("-n", optarg, 1, 1000000);
			break;
		case 't':
			secs = num("-t", optarg, 1, 86400);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (!c.ufrag[0]) != (!c.pwd[0]))
		usage();
	err = c.ufrag[0] ? 0 : ice_creds_new(&c);
	if (err) {
		fprintf(stderr, "stunresp: ice_creds_new: %s\n", strerror(-err));
		return 1;
	}
	if (ice_creds_check(&c)) {
		fprintf(stderr, "stunresp: -u/-w: a ufrag of 4-32 and a pwd of 22-32 ice-chars\n");
		return 2;
	}
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "stunresp: -a: '%s' is not an IPv4 address\n", addr);
		return 2;
	}
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	tv = (struct timeval){ .tv_sec = secs };
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen)) {
		fprintf(stderr, "stunresp: %s:%ld: %s\n", addr, port, strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("stunresp: %s %u ufrag %s pwd %s\n", addr, ntohs(sa.sin_port), c.ufrag, c.pwd);
	fflush(stdout);
	while (!stop && (!count || valid < count)) {
		int r = serve(fd, &c, peer);

		if (r == -EINTR)
			continue;
		if (r == -EAGAIN) {
			printf("stunresp: %ld s without a datagram\n", secs);
			break;
		}
		if (r < 0) {
			fprintf(stderr, "stunresp: %s\n", strerror(-r));
			return 1;
		}
		valid += r;
	}
	close(fd);
	return 0;
}
