// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udpping: UDP round-trip latency, one datagram in flight at a time.
 * Each datagram carries a sequence number and its send time; replies are
 * matched by sequence so late echoes of earlier probes are not miscounted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

static uint64_t now_ns(void)
{
	return tool_clock_ns(CLOCK_MONOTONIC);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Flood: send as fast as the socket takes it for some seconds and count
 * the echoes on a second thread; reports the echo rate.  On a small box the
 * sender itself is often the limit: compare with the sent rate.
 */
struct flood {
	int fd;
	int size;
	volatile int done;
	uint64_t received;
};

static void *flood_rx(void *arg)
{
	struct flood *f = arg;
	static char rbuf[64][2048];
	struct mmsghdr msgs[64];
	struct iovec iov[64];

	for (int i = 0; i < 64; i++) {
		iov[i] = (struct iovec){ .iov_base = rbuf[i], .iov_len = sizeof(rbuf[i]) };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	while (!f->done) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		int n;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		n = recvmmsg(f->fd, msgs, 64, MSG_DONTWAIT, NULL);
		if (n > 0)
			f->received += n;
	}
	return NULL;
}

/*
 * Raw frames straight to the driver (PACKET_QDISC_BYPASS): several times the
 * rate a UDP socket reaches, so the echo side is what gets measured.  IPv4.
 */
static int raw_socket(int udp_fd, const char *ifname, const char *dmac, uint8_t *frame, int size)
{
	struct sockaddr_in src, dst;
	socklen_t slen = sizeof(src), dlen = sizeof(dst);
	struct ifreq ifr = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	unsigned m[6];
	int fd, one = 1, ulen = 8 + size;
	uint8_t *ip = frame + 14, *udp = ip + 20;
	uint32_t ps;

	if (getsockname(udp_fd, (struct sockaddr *)&src, &slen) ||
	    getpeername(udp_fd, (struct sockaddr *)&dst, &dlen) || src.sin_family != AF_INET ||
	    sscanf(dmac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return -1;
	/* ifr_hwaddr and ifr_ifindex share a union: one request at a time. */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		goto err;
	for (int i = 0; i < 6; i++)
		frame[i] = (uint8_t)m[i];
	memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFINDEX, &ifr))
		goto err;
	sll.sll_ifindex = ifr.ifr_ifindex;
	frame[12] = 0x08;
	frame[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = (20 + ulen) >> 8;
	ip[3] = (20 + ulen) & 0xff;
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src.sin_addr, 4);
	memcpy(ip + 16, &dst.sin_addr, 4);
	ps = tool_csum16(ip, 20, 0);
	ip[10] = ps >> 8;
	ip[11] = ps & 0xff;
	memcpy(udp, &src.sin_port, 2);
	memcpy(udp + 2, &dst.sin_port, 2);
	udp[4] = ulen >> 8;
	udp[5] = ulen & 0xff;
	udp[6] = udp[7] = 0;
	memset(udp + 8, 0xa5, size);
	ps = 17 + ulen;
	for (int i = 12; i < 20; i += 2)
		ps += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	ps = tool_csum16(udp, ulen, ps);
	udp[6] = ps >> 8;
	udp[7] = ps & 0xff;
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto err;
	return fd;
err:
	close(fd);
	return -1;
}

static int flood(int fd, int size, double seconds, int json, const char *ifname, const char *dmac)
{
	struct flood f = { .fd = fd, .size = size };
	static uint8_t sbuf[65536];
	struct mmsghdr msgs[64];
	struct iovec iov = { .iov_base = sbuf, .iov_len = (size_t)size };
	uint64_t sent = 0, t0, t1;
	int sfd = fd;
	pthread_t th;

	if (ifname) {
		if (!dmac || size > 1472) {
			fprintf(stderr, "udpping: -L needs -M DSTMAC and -s 1472 or less\n");
			return 2;
		}
		sfd = raw_socket(fd, ifname, dmac, sbuf, size);
		if (sfd < 0) {
			perror("udpping: raw socket");
			return 1;
		}
		iov.iov_len = 14 + 20 + 8 + size;
	}
	for (int i = 0; i < 64; i++)
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	pthread_create(&th, NULL, flood_rx, &f);
	t0 = now_ns();
	while ((t1 = now_ns()) - t0 < (uint64_t)(seconds * 1e9) && !stop) {
		int n = sendmmsg(sfd, msgs, 64, 0);

		if (n > 0)
			sent += n;
	}
	usleep(300000); /* the last echoes */
	f.done = 1;
	pthread_join(th, NULL);
	{
		double secs = (t1 - t0) / 1e9;

		if (json)
			printf("{\"sent\": %llu, \"received\": %llu, \"seconds\": %.3f, "
			       "\"sent_mpps\": %.4f, \"echo_mpps\": %.4f}\n",
			       (unsigned long long)sent, (unsigned long long)f.received, secs,
			       sent / secs / 1e6, f.received / secs / 1e6);
		else
			printf("flood %d bytes for %.1fs: sent %.3f Mpps, echoed %.3f Mpps (%llu of %llu)\n",
			       size, secs, sent / secs / 1e6, f.received / secs / 1e6,
			       (unsigned long long)f.received, (unsigned long long)sent);
	}
	return f.received ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: udpping [-6] -d ADDR -p PORT [-s SIZE] [-n COUNT] [-t SECONDS]\n"
			"               [-r RATE_PPS] [-c CPU] [-w WARMUP] [-T TIMEOUT_MS] [-b] [-k] [-j] [-o FILE]\n"
			"       udpping -F SECONDS -d ADDR -p PORT [-s SIZE] [-j] [-L IFACE -M DSTMAC]\n"
			"  -s SIZE     UDP payload bytes (16-65000, default 64)\n"
			"  -n COUNT    round trips to measure (default 1000; with -t, -t ends the run)\n"
			"  -t SECONDS  run for this long instead of COUNT round trips\n"
			"  -r RATE     start at most RATE round trips per second (default: back to back)\n"
			"  -w WARMUP   round trips first that are not counted\n"
			"  -T MS       a reply later than this is counted lost (default 1000)\n"
			"  -b          spin on the reply instead of sleeping in poll(): the\n"
			"              client's own wake-up then stays out of the RTT\n"
			"  -k          the reply's time is the kernel's receive timestamp\n"
			"              (SO_TIMESTAMPNS, as ping): the client's wake-up stays out\n"
			"  -o FILE     every RTT in microseconds, one per line, in send order\n"
			"  -F SECONDS  flood for the echo rate; -L sends raw IPv4 frames on IFACE\n");
	exit(2);
}

static double real(const char *opt, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v > 0) || v > 1e9) {
		fprintf(stderr, "udpping: %s: '%s' is not a positive number\n", opt, arg);
		exit(2);
	}
	return v;
}

/*
 * Wait for the echo of @seq until @until; 0 with *rtt set, or -1 on timeout.
 * With @sent_rt (CLOCK_REALTIME at send), the reply's time is the kernel's
 * receive timestamp, as ping takes it: the client's own scheduling after the
 * reply arrived stays out of the RTT.
 */
static int await(int fd, uint64_t seq, int size, uint64_t until, int busy, uint64_t sent_rt,
		 char *rbuf, size_t rlen, uint64_t *rtt)
{
	for (;;) {
		uint64_t now = now_ns(), got[2], krx = 0;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct iovec iov = { rbuf, rlen };
		char ctrl[64];
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl,
				    .msg_controllen = sizeof(ctrl) };
		ssize_t len;

		if (now >= until || stop)
			return -1;
		if (!busy && poll(&pfd, 1, (int)((until - now) / 1000000) + 1) <= 0)
			continue;
		len = recvmsg(fd, &m, MSG_DONTWAIT | MSG_TRUNC);
		/*
		 * ICMP errors surface as ECONNREFUSED: keep waiting, the probe
		 * is lost at the timeout.  Late echoes of earlier probes and
		 * anything that is not our datagram reflected whole are skipped.
		 */
		if (len != size)
			continue;
		memcpy(got, rbuf, sizeof(got));
		if (got[0] != seq)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); sent_rt && c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				krx = tool_ts_ns(&ts);
			}
		*rtt = krx > sent_rt ? krx - sent_rt : now_ns() - got[1];
		return 0;
	}
}

static void pace(uint64_t next)
{
	/* Sleep most of the gap, spin the last 100-200 us: nanosleep overshoots. */
	for (uint64_t now = now_ns(); now < next && !stop; now = now_ns()) {
		if (next - now > 200000) {
			struct timespec ts = { 0, (long)(next - now - 100000) };

			nanosleep(&ts, NULL);
		}
	}
}

/* What the command line asked for. */
struct opts {
	const char *dst, *out, *raw_if, *raw_mac;
	int port, size, cpu, v6, json, busy, kstamp;
	long count, warmup, timeout_ms;
	double seconds, rate, flood_secs;
};

/* The measured round trips, in send order until report() sorts them. */
struct samples {
	uint64_t *rtt;
	size_t n, cap;
	long sent, lost;
};

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int opt;

	*o = (struct opts){ .size = 64, .cpu = -1, .count = 1000, .timeout_ms = 1000 };
	while ((opt = getopt(argc, argv, "6bkd:p:s:n:t:r:c:w:T:jo:F:L:M:")) != -1) {
		switch (opt) {
		case '6': o->v6 = 1; break;
		case 'b': o->busy = 1; break;
		case 'k': o->kstamp = 1; break;
		case 'd': o->dst = optarg; break;
		case 'p': o->port = (int)tool_num("udpping", "-p", optarg, 1, 65535); break;
		case 's': o->size = (int)tool_num("udpping", "-s", optarg, 16, 65000); break;
		case 'n': o->count = tool_num("udpping", "-n", optarg, 1, 100000000); break;
		case 't': o->seconds = real("-t", optarg); break;
		case 'r': o->rate = real("-r", optarg); break;
		case 'c': o->cpu = (int)tool_num("udpping", "-c", optarg, 0, CPU_SETSIZE - 1); break;
		case 'w': o->warmup = tool_num("udpping", "-w", optarg, 0, 100000000); break;
		case 'T': o->timeout_ms = tool_num("udpping", "-T", optarg, 1, 3600000); break;
		case 'j': o->json = 1; break;
		case 'o': o->out = optarg; break;
		case 'F': o->flood_secs = real("-F", optarg); break;
		case 'L': o->raw_if = optarg; break;
		case 'M': o->raw_mac = optarg; break;
		default: usage();
		}
	}
	if (!o->dst || !o->port || optind != argc)
		usage();
}

/* -d and -p as a socket address; its length, or 0 (said) if -d is none. */
static socklen_t dst_addr(const struct opts *o, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (void *)ss;
	struct sockaddr_in *s4 = (void *)ss;
	int v6 = o->v6 || strchr(o->dst, ':');
	void *a = v6 ? (void *)&s6->sin6_addr : (void *)&s4->sin_addr;

	memset(ss, 0, sizeof(*ss));
	ss->ss_family = v6 ? AF_INET6 : AF_INET;
	if (v6)
		s6->sin6_port = htons(o->port);
	else
		s4->sin_port = htons(o->port);
	if (inet_pton(ss->ss_family, o->dst, a) != 1) {
		fprintf(stderr, "udpping: -d: '%s' is not an IPv%d address\n", o->dst, v6 ? 6 : 4);
		return 0;
	}
	return v6 ? sizeof(*s6) : sizeof(*s4);
}

/* Every sample has its slot before the first send: no allocation while timing. */
static int samples_alloc(const struct opts *o, struct samples *r)
{
	r->cap = (size_t)o->count;
	if (o->seconds > 0)
		r->cap = o->rate > 0 ? (size_t)(o->seconds * o->rate) + 1 : 10000000;
	r->rtt = calloc(r->cap, sizeof(*r->rtt));
	if (!r->rtt) {
		perror("udpping: samples");
		return -ENOMEM;
	}
	memset(r->rtt, 0, r->cap * sizeof(*r->rtt));
	return 0;
}

/* One probe sent at t0 and its echo awaited; counted only if measured. */
static void probe(int fd, const struct opts *o, uint64_t seq, uint64_t t0, int measured,
		  struct samples *r)
{
	static char sbuf[65536], rbuf[65536];
	uint64_t hdr[2] = { seq, t0 }, sample, sent_rt;

	/* The payload past the header: filled once, before the first probe. */
	if (!seq)
		memset(sbuf, 0xa5, sizeof(sbuf));
	memcpy(sbuf, hdr, sizeof(hdr));
	sent_rt = o->kstamp ? tool_clock_ns(CLOCK_REALTIME) : 0;
	if (send(fd, sbuf, o->size, 0) == o->size) {
		if (measured)
			r->sent++;
		if (!await(fd, seq, o->size, t0 + o->timeout_ms * 1000000ull, o->busy, sent_rt, rbuf,
			   sizeof(rbuf), &sample)) {
			if (measured)
				r->rtt[r->n++] = sample;
		} else if (measured && !stop) {
			r->lost++;
		}
	} else if (measured) {
		/* Refused by the local stack (ECONNREFUSED from an ICMP error, ENOBUFS): a loss. */
		r->sent++;
		r->lost++;
	}
}

static void ping_run(int fd, const struct opts *o, struct samples *r)
{
	uint64_t deadline = 0;

	for (uint64_t seq = 0; !stop; seq++) {
		uint64_t t0 = now_ns();
		int measured = seq >= (uint64_t)o->warmup;

		if (measured && deadline && t0 >= deadline)
			break;
		if (measured && r->n + (size_t)r->lost >= r->cap)
			break;
		if (measured && o->seconds > 0 && !deadline)
			deadline = t0 + (uint64_t)(o->seconds * 1e9);
		probe(fd, o, seq, t0, measured, r);
		if (o->rate > 0)
			pace(t0 + (uint64_t)(1e9 / o->rate));
	}
	if (stop && r->sent > (long)r->n + r->lost)
		r->sent = (long)r->n + r->lost; /* the probe in flight at ^C is not a loss */
}

static void write_rtts(const char *path, const struct samples *r)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "udpping: -o %s: %s\n", path, strerror(errno));
		return;
	}
	for (size_t i = 0; i < r->n; i++)
		fprintf(f, "%.3f\n", r->rtt[i] / 1000.0);
	fclose(f);
}

static void report(const struct opts *o, struct samples *r)
{
	uint64_t *rtt = r->rtt;
	size_t n = r->n;

	qsort(rtt, n, sizeof(*rtt), tool_cmp_u64);
	if (o->json)
		printf("{\"sent\": %ld, \"received\": %zu, \"lost\": %ld, \"min_us\": %.1f, "
		       "\"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f, "
		       "\"max_us\": %.1f}\n",
		       r->sent, n, r->lost, n ? rtt[0] / 1000.0 : 0, tool_pct(rtt, n, 500),
		       tool_pct(rtt, n, 900), tool_pct(rtt, n, 990), tool_pct(rtt, n, 999),
		       n ? rtt[n - 1] / 1000.0 : 0);
	else
		printf("%s port %d, %d bytes: sent %ld received %zu lost %ld  rtt us min %.1f "
		       "p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f max %.1f\n",
		       o->dst, o->port, o->size, r->sent, n, r->lost, n ? rtt[0] / 1000.0 : 0,
		       tool_pct(rtt, n, 500), tool_pct(rtt, n, 900), tool_pct(rtt, n, 990),
		       tool_pct(rtt, n, 999), n ? rtt[n - 1] / 1000.0 : 0);
}

int main(int argc, char **argv)
{
	struct sigaction act = { .sa_handler = on_signal };
	struct sockaddr_storage ss;
	struct samples r = { 0 };
	struct opts o;
	socklen_t sslen;
	int fd;

	parse_opts(argc, argv, &o);
	tool_pin("udpping", o.cpu, 0);
	sslen = dst_addr(&o, &ss);
	if (!sslen)
		return 2;
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sslen)) {
		perror("udpping: socket");
		return 1;
	}
	if (o.flood_secs > 0)
		return flood(fd, o.size, o.flood_secs, o.json, o.raw_if, o.raw_mac);
	if (o.kstamp && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int))) {
		perror("udpping: -k");
		return 1;
	}
	if (samples_alloc(&o, &r))
		return 1;
	ping_run(fd, &o, &r);
	if (o.out)
		write_rtts(o.out, &r);
	report(&o, &r);
	free(r.rtt);
	return r.n ? 0 : 1;
}
