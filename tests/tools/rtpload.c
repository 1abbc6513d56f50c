// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtpload: RTP for many calls through a media relay, measured from one clock.
 *
 * Each call has two endpoints, A and B, with a socket each; A streams to the
 * relay port facing it, the relay forwards to B (and with -2, B to A too).
 * Every packet carries its send time; the receive time is the kernel's
 * (SO_TIMESTAMPNS, taken when the frame enters the receiving stack), so the
 * receiver's own scheduling stays out of the figures and a loaded CPU only
 * shows where it delays the relay path itself.  Jitter is the difference of
 * successive transit times within a stream.  Prints one JSON object.
 *
 *   rtpload -a A_ADDR -b B_ADDR -d RELAY [-D RELAY_B] -f CALLS [-t SECS] [-w SECS]
 *           [-r PPS] [-s BYTES] [-c CPU] [-P PRIO] [-2]
 *
 * -D: the relay's address facing B, when it is not RELAY's (a call bridged
 * between IPv4 and IPv6 has one of each family).
 *
 * CALLS has one line per call: A_PORT RELAY_PORT_FOR_A B_PORT RELAY_PORT_FOR_B
 * (the relay ports are those of the rewritten SDP each side was given).
 *
 * -S: A speaks SRTP (AES_CM_128_HMAC_SHA1_80, libsrtp2), B plain RTP, as an
 * SDES phone bridged to a plain one: each line then goes on with A's
 * master key and salt and the relay's toward A, 60 hex digits each.
 */
#include <srtp2/srtp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define HDR 12      /* RTP header */
#define STAMP 16    /* send time (ns, CLOCK_REALTIME) and stream id, after it */
#define BATCH 32

struct ep {
	int fd;
	srtp_t stx, srx; /* -S, A's: what it protects with and unprotects with */
	struct sockaddr_storage relay; /* where this endpoint sends */
	socklen_t rlen;
	uint16_t seq;
	uint32_t ts;
	/* As received from the other endpoint. */
	int64_t last_transit;
	uint64_t rx;
	uint16_t rx_seq;
	uint16_t rx_init;
	uint64_t reorder;
};

static volatile sig_atomic_t stop;
static struct ep *eps;
static unsigned neps;
static int64_t *lat, *jit;
static size_t nlat, njit, cap;
static uint64_t rx_measured, rx_other, sent_total;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Realtime: the kernel's receive timestamps (SO_TIMESTAMPNS) are. */
static uint64_t now_ns(void)
{
	return tool_clock_ns(CLOCK_REALTIME);
}

static int sockaddr_of(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

static int ep_open(struct ep *e, const char *addr, int port, const char *relay, int rport)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, buf = 1 << 20;

	if (sockaddr_of(addr, port, &ss, &len) || sockaddr_of(relay, rport, &e->relay, &e->rlen))
		return -EINVAL;
	e->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (e->fd < 0)
		return -errno;
	setsockopt(e->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	setsockopt(e->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (bind(e->fd, (struct sockaddr *)&ss, len))
		return -errno;
	return 0;
}

static void ep_send(struct ep *e, unsigned id, int size, int measured, uint64_t *sent)
{
	uint8_t b[1500] = { 0x80, 0 };
	uint64_t t = now_ns();
	uint32_t v;

	b[2] = e->seq >> 8;
	b[3] = e->seq & 0xff;
	v = htonl(e->ts);
	memcpy(b + 4, &v, 4);
	v = htonl(id + 1);
	memcpy(b + 8, &v, 4);
	memcpy(b + HDR, &t, 8);
	v = id | (measured ? 0x80000000u : 0);
	memcpy(b + HDR + 8, &v, 4);
	memset(b + HDR + STAMP, 0xd5, (size_t)size - HDR - STAMP);
	if (e->stx) {
		int n = size;

		if (srtp_protect(e->stx, b, &n))
			return;
		size = n;
	}
	if (sendto(e->fd, b, (size_t)size, 0, (struct sockaddr *)&e->relay, e->rlen) == size) {
		sent_total++;
		e->seq++;
		e->ts += 160;
		if (measured)
			(*sent)++;
	}
}

static void ep_drain(struct ep *e)
{
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	static uint8_t bufs[BATCH][2048];
	static char ctrl[BATCH][64];
	int n;

	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
		m[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1,
						.msg_control = ctrl[i], .msg_controllen = sizeof(ctrl[i]) };
	}
	while ((n = recvmmsg(e->fd, m, BATCH, MSG_DONTWAIT, NULL)) > 0) {
		for (int i = 0; i < n; i++) {
			struct msghdr *h = &m[i].msg_hdr;
			uint64_t rx = 0, tx;
			uint32_t id;
			int64_t transit;
			uint16_t seq;

			for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
					struct timespec ts;

					memcpy(&ts, CMSG_DATA(c), sizeof(ts));
					rx = tool_ts_ns(&ts);
				}
			h->msg_controllen = sizeof(ctrl[i]);
			if (e->srx) {
				int len = (int)m[i].msg_len;

				if (srtp_unprotect(e->srx, bufs[i], &len)) {
					rx_other++;
					continue;
				}
				m[i].msg_len = (unsigned)len;
			}
			if (m[i].msg_len < HDR + STAMP || !rx) {
				rx_other++;
				continue;
			}
			memcpy(&tx, bufs[i] + HDR, 8);
			memcpy(&id, bufs[i] + HDR + 8, 4);
			seq = (uint16_t)(bufs[i][2] << 8 | bufs[i][3]);
			if (e->rx_init && (int16_t)(seq - e->rx_seq) <= 0)
				e->reorder++;
			e->rx_seq = seq;
			e->rx_init = 1;
			e->rx++;
			if (!(id & 0x80000000u))
				continue;
			rx_measured++;
			transit = (int64_t)(rx - tx);
			if (nlat < cap)
				lat[nlat++] = transit;
			if (e->last_transit && njit < cap)
				jit[njit++] = transit > e->last_transit ? transit - e->last_transit
									 : e->last_transit - transit;
			e->last_transit = transit;
		}
	}
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank, in microseconds. */
static double pct(int64_t *v, size_t n, unsigned permille)
{
	size_t r = (permille * n + 999) / 1000;

	if (!n)
		return 0;
	return v[(r < 1 ? 1 : r > n ? n : r) - 1] / 1000.0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rtpload -a A_ADDR -b B_ADDR -d RELAY [-D RELAY_B] -f CALLS [-t SECS] [-w SECS]\n"
		"               [-r PPS] [-s BYTES] [-c CPU] [-P PRIO] [-2]\n"
		"  -D RELAY_B  the relay's address facing B (default RELAY; a bridged call's other family)\n"
		"  -f CALLS  one call per line: A_PORT RELAY_PORT_FOR_A B_PORT RELAY_PORT_FOR_B\n"
		"  -t SECS   measured seconds (default 5), after -w SECS unmeasured (default 1)\n"
		"  -r PPS    packets per second per stream (default 50)\n"
		"  -s BYTES  UDP payload (default 172: RTP header and 20 ms of G.711)\n"
		"  -2        B streams to A as well (default: A to B only)\n"
		"  -S        A speaks SRTP (lines end in A's key and the relay's, hex), B RTP\n"
		"  -c CPU    pin; -P PRIO: SCHED_FIFO at PRIO\n");
	exit(2);
}

/* What the command line asked for. */
struct opts {
	const char *a, *b, *relay, *relay_b, *file;
	long secs, warm, pps, size, cpu, prio;
	int both, srtp;
};

/*
 * The send schedule and what it did: stream k of the n sends at
 * t0 + (j + k/n) * period, measured from warm_end on, until end.
 */
struct load {
	unsigned ncalls, nstreams;
	uint64_t t0, warm_end, end, period, j;
	uint64_t sent, late, max_late, last_sent;
};

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int opt;

	*o = (struct opts){ .secs = 5, .warm = 1, .pps = 50, .size = 172, .cpu = -1 };
	while ((opt = getopt(argc, argv, "a:b:d:D:f:t:w:r:s:c:P:2S")) != -1) {
		switch (opt) {
		case 'a': o->a = optarg; break;
		case 'b': o->b = optarg; break;
		case 'd': o->relay = optarg; break;
		case 'D': o->relay_b = optarg; break;
		case 'f': o->file = optarg; break;
		case 't': o->secs = tool_num("rtpload", "-t", optarg, 1, 3600); break;
		case 'w': o->warm = tool_num("rtpload", "-w", optarg, 0, 60); break;
		case 'r': o->pps = tool_num("rtpload", "-r", optarg, 1, 10000); break;
		case 's': o->size = tool_num("rtpload", "-s", optarg, HDR + STAMP, 1472); break;
		case 'c': o->cpu = tool_num("rtpload", "-c", optarg, 0, CPU_SETSIZE - 1); break;
		case 'P': o->prio = tool_num("rtpload", "-P", optarg, 1, 99); break;
		case '2': o->both = 1; break;
		case 'S': o->srtp = 1; break;
		default: usage();
		}
	}
	if (!o->a || !o->b || !o->relay || !o->file || optind != argc)
		usage();
}

/* Two sockets a call: a few thousand calls need more than the default 1024 fds. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max < 1048576 ? rl.rlim_max : 1048576;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* 60 hex digits into a 30-byte master key and salt. */
static int hex_key(const char *h, unsigned char k[30])
{
	for (int i = 0; i < 30; i++)
		if (sscanf(h + 2 * i, "%2hhx", &k[i]) != 1)
			return -1;
	return h[60] ? -1 : 0;
}

static int srtp_of(srtp_t *s, const char *hex, bool outbound, uint32_t ssrc)
{
	srtp_policy_t p;
	unsigned char k[30];

	if (hex_key(hex, k))
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	srtp_crypto_policy_set_rtp_default(&p.rtp);
	srtp_crypto_policy_set_rtcp_default(&p.rtcp);
	p.ssrc.type = outbound ? ssrc_specific : ssrc_any_inbound;
	p.ssrc.value = ssrc;
	p.key = k;
	p.window_size = 1024;
	return srtp_create(s, &p) ? -EINVAL : 0;
}

/* A pair of endpoints in eps for each line of f, polled on epfd; -1 if said. */
static int load_calls(const struct opts *o, FILE *f, int epfd, unsigned *ncalls)
{
	int pa, ra, pb, rb;
	char ka[64], kr[64];

	while (fscanf(f, "%d %d %d %d", &pa, &ra, &pb, &rb) == 4 &&
	       (!o->srtp || fscanf(f, "%63s %63s", ka, kr) == 2)) {
		struct ep *n = realloc(eps, (neps + 2) * sizeof(*eps));
		int err;

		if (!n)
			return -1;
		eps = n;
		memset(&eps[neps], 0, 2 * sizeof(*eps));
		err = ep_open(&eps[neps], o->a, pa, o->relay, ra);
		if (!err)
			err = ep_open(&eps[neps + 1], o->b, pb, o->relay_b ? o->relay_b : o->relay, rb);
		/* A's packets carry SSRC id + 1 (ep_send): neps + 1 for A. */
		if (!err && o->srtp)
			err = srtp_of(&eps[neps].stx, ka, true, neps + 1) ?:
			      srtp_of(&eps[neps].srx, kr, false, 0);
		if (err) {
			fprintf(stderr, "rtpload: %s line %u: %s\n", o->file, *ncalls + 1, strerror(-err));
			return -1;
		}
		for (int i = 0; i < 2; i++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u32 = neps + i };

			epoll_ctl(epfd, EPOLL_CTL_ADD, eps[neps + i].fd, &ev);
		}
		neps += 2;
		(*ncalls)++;
	}
	return 0;
}

/*
 * Symmetric RTP: without -2 B sends once so that the relay learns it; A is
 * learnt from its stream.  Then the clock starts, a little ahead.
 */
static void load_start(const struct opts *o, struct load *l)
{
	if (!o->both)
		for (unsigned c = 0; c < l->ncalls; c++)
			ep_send(&eps[2 * c + 1], 2 * c + 1, (int)o->size, 0, &l->sent);
	l->period = 1000000000ull / (uint64_t)o->pps;
	l->t0 = now_ns() + 20000000;
	l->warm_end = l->t0 + (uint64_t)o->warm * 1000000000ull;
	l->end = l->t0 + (uint64_t)(o->warm + o->secs) * 1000000000ull;
}

/* Send what is due by *now, which moves on as it goes; the next due time.
 * Bounded, so that a generator falling behind still receives. */
static uint64_t send_due(const struct opts *o, struct load *l, uint64_t *now)
{
	uint64_t due = l->t0 + l->j * l->period / l->nstreams;
	unsigned burst = 0;

	while (due <= *now && due < l->end && burst++ < 256) {
		unsigned s = (unsigned)(l->j % l->nstreams), e = o->both ? s : 2 * s;

		if (*now - due > 1000000)
			l->late++;
		if (*now - due > l->max_late)
			l->max_late = *now - due;
		ep_send(&eps[e], e, (int)o->size, due >= l->warm_end, &l->sent);
		l->j++;
		due = l->t0 + l->j * l->period / l->nstreams;
		if ((l->j & 63) == 0)
			*now = now_ns();
	}
	return due;
}

/* Send on schedule and drain what arrives, until 300 ms after the last send. */
static void load_run(const struct opts *o, int epfd, struct load *l)
{
	while (!stop) {
		uint64_t now = now_ns(), due = send_due(o, l, &now);
		struct epoll_event evs[64];
		struct timespec to = { 0, 0 };
		int n;

		if (due >= l->end && !l->last_sent)
			l->last_sent = now;
		if (l->last_sent && now >= l->last_sent + 300000000ull)
			break;
		if (due > now && due < l->end)
			to.tv_nsec = (long)((due - now) < 1000000 ? due - now : 1000000);
		else if (due >= l->end)
			to.tv_nsec = 10000000;
		n = epoll_pwait2(epfd, evs, 64, &to, NULL);
		for (int i = 0; i < n; i++)
			ep_drain(&eps[evs[i].data.u32]);
	}
}

static void report(const struct opts *o, const struct load *l)
{
	uint64_t reorder = 0, sent = l->sent;

	for (unsigned i = 0; i < neps; i++)
		reorder += eps[i].reorder;
	qsort(lat, nlat, sizeof(*lat), cmp);
	qsort(jit, njit, sizeof(*jit), cmp);
	printf("{\"calls\": %u, \"streams\": %u, \"pps_per_stream\": %ld, \"secs\": %ld, "
	       "\"sent\": %llu, \"sent_total\": %llu, \"send_secs\": %.3f, "
	       "\"received\": %llu, \"loss\": %.6f, \"reordered\": %llu, "
	       "\"late_sends\": %llu, \"max_send_lag_us\": %.1f, "
	       "\"latency_p50_us\": %.1f, \"latency_p99_us\": %.1f, \"latency_p999_us\": %.1f, "
	       "\"latency_max_us\": %.1f, \"jitter_p50_us\": %.1f, \"jitter_p99_us\": %.1f, "
	       "\"jitter_p999_us\": %.1f, \"jitter_max_us\": %.1f}\n",
	       l->ncalls, l->nstreams, o->pps, o->secs, (unsigned long long)sent,
	       (unsigned long long)sent_total,
	       l->last_sent > l->t0 ? (l->last_sent - l->t0) / 1e9 : 0.0,
	       (unsigned long long)rx_measured,
	       sent ? 1.0 - (double)(rx_measured > sent ? sent : rx_measured) / (double)sent : 0.0,
	       (unsigned long long)reorder, (unsigned long long)l->late, l->max_late / 1000.0,
	       pct(lat, nlat, 500), pct(lat, nlat, 990), pct(lat, nlat, 999),
	       nlat ? lat[nlat - 1] / 1000.0 : 0, pct(jit, njit, 500), pct(jit, njit, 990),
	       pct(jit, njit, 999), njit ? jit[njit - 1] / 1000.0 : 0);
}

int main(int argc, char **argv)
{
	struct sigaction act = { .sa_handler = on_signal };
	struct load l = { 0 };
	struct opts o;
	int epfd;
	FILE *f;

	parse_opts(argc, argv, &o);
	if (o.srtp && srtp_init()) {
		fprintf(stderr, "rtpload: srtp_init failed\n");
		return 1;
	}
	f = fopen(o.file, "re");
	if (!f) {
		fprintf(stderr, "rtpload: %s: %s\n", o.file, strerror(errno));
		return 1;
	}
	raise_fd_limit();
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (load_calls(&o, f, epfd, &l.ncalls))
		return 1;
	fclose(f);
	if (!l.ncalls) {
		fprintf(stderr, "rtpload: %s: no calls\n", o.file);
		return 1;
	}
	l.nstreams = o.both ? 2 * l.ncalls : l.ncalls;
	cap = (size_t)l.nstreams * (size_t)o.pps * (size_t)o.secs + 1024;
	lat = calloc(cap, sizeof(*lat));
	jit = calloc(cap, sizeof(*jit));
	if (!lat || !jit)
		return 1;
	tool_pin("rtpload", o.cpu, o.prio);
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	load_start(&o, &l);
	load_run(&o, epfd, &l);
	report(&o, &l);
	return l.sent && rx_measured ? 0 : 1;
}
