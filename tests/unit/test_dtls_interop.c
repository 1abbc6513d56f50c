// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The DTLS-SRTP engine against peers that are not its own, over UDP on
 * 127.0.0.1 (no privileges): `openssl s_client` and `openssl s_server`
 * (DTLS 1.2, -use_srtp, -keymatexport EXTRACTOR-dtls_srtp), and aiortc's
 * RTCDtlsTransport (tests/unit/dtls_peer.py).  Both sides must derive the
 * same keying material.  A peer missing here is a skip, not a pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "apps/relay/dtls.h"
#include "dtls_harness.h"

#define PEER_SCRIPT "tests/unit/dtls_peer.py"
#define PYTHON "/usr/bin/python3"

static uint64_t ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* ---- A peer process: its stdin, its stdout and stderr ---- */

struct peer {
	pid_t pid;
	int in, out;
	char text[65536];
	size_t len;
};

static void peer_start(struct peer *p, char *const argv[])
{
	int in[2], out[2];

	memset(p, 0, sizeof(*p));
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	p->pid = fork();
	assert_true(p->pid >= 0);
	if (!p->pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[1]);
		close(out[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->in = in[1];
	p->out = out[0];
	fcntl(p->out, F_SETFL, O_NONBLOCK);
}

static void peer_read(struct peer *p)
{
	ssize_t n;

	while (p->len < sizeof(p->text) - 1 &&
	       (n = read(p->out, p->text + p->len, sizeof(p->text) - 1 - p->len)) > 0)
		p->len += (size_t)n;
	p->text[p->len] = 0;
}

static void peer_say(struct peer *p, const char *line)
{
	assert_int_equal(write(p->in, line, strlen(line)), (ssize_t)strlen(line));
}

/* The rest of the first line of its output that starts with key, into
 * out; whether there is one. */
static bool peer_line(struct peer *p, const char *key, char *out, size_t cap)
{
	const char *s = p->text;

	peer_read(p);
	for (;;) {
		const char *nl = strchr(s, '\n');

		if (!nl)
			return false;
		if (!strncmp(s, key, strlen(key))) {
			size_t n = (size_t)(nl - s) - strlen(key);

			snprintf(out, cap, "%.*s", (int)n, s + strlen(key));
			out[strcspn(out, "\r")] = 0;
			return true;
		}
		s = nl + 1;
	}
}

/* Its stdin closed; it has a second to go, then it is killed.  Its exit
 * status, or -1. */
static int peer_stop(struct peer *p)
{
	int status = 0;

	if (p->in >= 0)
		close(p->in);
	p->in = -1;
	for (int i = 0; i < 100; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			goto done;
		usleep(10 * 1000);
	}
	kill(p->pid, SIGKILL);
	waitpid(p->pid, &status, 0);
done:
	peer_read(p);
	close(p->out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Until the peer printed a line starting with key: whether it did. */
static bool peer_wait(struct peer *p, const char *key, char *out, size_t cap, unsigned ms)
{
	uint64_t end = ms_now() + ms;

	while (!peer_line(p, key, out, cap)) {
		struct pollfd pf = { .fd = p->out, .events = POLLIN };

		if (ms_now() >= end)
			return false;
		poll(&pf, 1, 20);
	}
	return true;
}

/* Until its output holds text anywhere: whether it does. */
static bool peer_says(struct peer *p, const char *text, unsigned ms)
{
	uint64_t end = ms_now() + ms;

	for (peer_read(p); !strstr(p->text, text); peer_read(p)) {
		struct pollfd pf = { .fd = p->out, .events = POLLIN };

		if (ms_now() >= end)
			return false;
		poll(&pf, 1, 20);
	}
	return true;
}

/* ---- rtd's side: one connection on a UDP socket ---- */

struct side {
	int fd;
	uint16_t port;
	struct sockaddr_in peer;
	bool have_peer;
	struct rdtls_conn *c;
	struct rdtls_out out;
	unsigned sent, received;
};

static void side_open(struct side *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t n = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &n), 0);
	s->port = ntohs(a.sin_port);
}

static void side_peer(struct side *s, uint16_t port)
{
	s->peer = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	s->have_peer = true;
}

static void side_send(struct side *s)
{
	for (unsigned i = 0; i < s->out.n && s->have_peer; i++) {
		assert_int_equal(sendto(s->fd, s->out.data[i], s->out.len[i], 0,
					(struct sockaddr *)&s->peer, sizeof(s->peer)),
				 s->out.len[i]);
		s->sent++;
	}
}

/* Datagrams, timers and the peer's output, until until() or ms pass. */
static void side_run(struct side *s, struct peer *p, bool (*until)(struct side *, struct peer *),
		     unsigned ms)
{
	uint64_t end = ms_now() + ms;

	while (ms_now() < end && !until(s, p)) {
		struct pollfd pf[2] = { { .fd = s->fd, .events = POLLIN },
					{ .fd = p->out, .events = POLLIN } };
		int t = rdtls_conn_timeout_ms(s->c);
		uint8_t d[2048];
		struct sockaddr_in from;
		socklen_t n = sizeof(from);
		ssize_t got;

		if (t == 0) {
			assert_int_equal(rdtls_conn_timer(s->c, &s->out), 0);
			side_send(s);
			continue;
		}
		poll(pf, 2, t < 0 || t > 20 ? 20 : t);
		peer_read(p);
		while ((got = recvfrom(s->fd, d, sizeof(d), 0, (struct sockaddr *)&from, &n)) > 0) {
			s->received++;
			if (!s->have_peer) {
				s->peer = from;
				s->have_peer = true;
			}
			assert_int_equal(rdtls_conn_feed(s->c, d, (size_t)got, &s->out), 0);
			side_send(s);
			n = sizeof(from);
		}
	}
}

static bool settled(struct side *s, struct peer *p)
{
	(void)p;
	return rdtls_conn_state(s->c) != RDTLS_HANDSHAKING;
}

static bool peer_has_keys(struct side *s, struct peer *p)
{
	char km[400];

	return settled(s, p) && (peer_line(p, "    Keying material: ", km, sizeof(km)) ||
				 peer_line(p, "keys ", km, sizeof(km)) ||
				 rdtls_conn_state(s->c) != RDTLS_DONE);
}

static bool closed(struct side *s, struct peer *p)
{
	(void)p;
	return rdtls_conn_state(s->c) == RDTLS_CLOSED;
}

/* What a peer printed as its keying material against rtd's. */
static void assert_same_keys(struct side *s, struct peer *p, const char *key, enum rdtls_role role,
			     uint16_t profile)
{
	char theirs[400], ours[400];
	struct rdtls_keys k;

	if (rdtls_conn_state(s->c) != RDTLS_DONE)
		print_error("rtd: %s\npeer said:\n%s\n", rdtls_conn_reason(s->c), p->text);
	assert_int_equal(rdtls_conn_state(s->c), RDTLS_DONE);
	assert_int_equal(rdtls_conn_keys(s->c, &k), 0);
	assert_int_equal(k.profile, profile);
	if (!peer_line(p, key, theirs, sizeof(theirs)))
		print_error("peer said:\n%s\n", p->text);
	assert_true(peer_line(p, key, theirs, sizeof(theirs)));
	harness_km(&k, role, ours);
	if (strcasecmp(theirs, ours))
		print_error("peer: %s\nrtd:  %s\n", theirs, ours);
	assert_int_equal(strcasecmp(theirs, ours), 0);
}

/* ---- openssl s_client and s_server ---- */

struct pki {
	char dir[64], crt[96], key[96];
	struct rdtls_identity *rtd; /* rtd's, generated */
	struct rdtls_identity *peer; /* the openssl peer's, loaded to learn its fingerprint */
	char rtd_crt[96], rtd_key[96];
};

static int pki_setup(void **state)
{
	struct pki *k = calloc(1, sizeof(*k));
	char cmd[512], err[200];

	if (!harness_have("openssl")) {
		*state = NULL;
		free(k);
		return 0;
	}
	harness_tmpdir(k->dir, sizeof(k->dir));
	snprintf(k->crt, sizeof(k->crt), "%s/peer.crt", k->dir);
	snprintf(k->key, sizeof(k->key), "%s/peer.key", k->dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout '%s' -out '%s' -days 2 -subj /CN=peer >/dev/null 2>&1",
		 k->key, k->crt);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(rdtls_identity_load(&k->peer, k->crt, k->key, 0, err, sizeof(err)), 0);
	k->rtd = harness_identity();
	*state = k;
	return 0;
}

static int pki_teardown(void **state)
{
	struct pki *k = *state;

	if (!k)
		return 0;
	rdtls_identity_free(k->rtd);
	rdtls_identity_free(k->peer);
	harness_rmdir(k->dir);
	free(k);
	return 0;
}

static const char *openssl_profile(uint16_t id)
{
	switch (id) {
	case RDTLS_AES128_CM_SHA1_80:
		return "SRTP_AES128_CM_SHA1_80";
	case RDTLS_AES128_CM_SHA1_32:
		return "SRTP_AES128_CM_SHA1_32";
	case RDTLS_AEAD_AES_128_GCM:
		return "SRTP_AEAD_AES_128_GCM";
	default:
		return "SRTP_AEAD_AES_256_GCM";
	}
}

static unsigned km_len(uint16_t id)
{
	return id == RDTLS_AEAD_AES_256_GCM ? 88 : id == RDTLS_AEAD_AES_128_GCM ? 56 : 60;
}

static void s_client(struct peer *p, const struct pki *k, uint16_t port, uint16_t profile)
{
	char connect[32], len[8];
	char *argv[] = { "openssl", "s_client", "-dtls1_2", "-connect", connect, "-mtu", "1200",
			 "-cert", (char *)k->crt, "-key", (char *)k->key, "-use_srtp",
			 (char *)openssl_profile(profile), "-keymatexport", "EXTRACTOR-dtls_srtp",
			 "-keymatexportlen", len, NULL };

	snprintf(connect, sizeof(connect), "127.0.0.1:%u", port);
	snprintf(len, sizeof(len), "%u", km_len(profile));
	peer_start(p, argv);
}

static void test_openssl_s_client_gets_the_same_keys_from_rtd_as_server(void **state)
{
	const uint16_t all[] = { RDTLS_AES128_CM_SHA1_80, RDTLS_AES128_CM_SHA1_32,
				 RDTLS_AEAD_AES_128_GCM, RDTLS_AEAD_AES_256_GCM };
	struct pki *k = *state;

	if (!k)
		skip();
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct side s;
		struct peer p;

		side_open(&s);
		s.c = harness_conn(k->rtd, RDTLS_SERVER, k->peer, 0, 0, 5000);
		s_client(&p, k, s.port, all[i]);
		side_run(&s, &p, peer_has_keys, 5000);
		assert_same_keys(&s, &p, "    Keying material: ", RDTLS_SERVER, all[i]);
		peer_stop(&p);
		rdtls_conn_free(s.c);
		close(s.fd);
	}
}

static bool appdata_seen(struct side *s, struct peer *p)
{
	struct rdtls_stats st;

	(void)p;
	rdtls_conn_stats(s->c, &st);
	return st.appdata > 0;
}

/* s_client against a server connection of rtd's, done. */
static void done_with_s_client(struct side *s, struct peer *p, const struct pki *k)
{
	side_open(s);
	s->c = harness_conn(k->rtd, RDTLS_SERVER, k->peer, 0, 0, 5000);
	s_client(p, k, s->port, RDTLS_AES128_CM_SHA1_80);
	side_run(s, p, peer_has_keys, 5000);
	assert_same_keys(s, p, "    Keying material: ", RDTLS_SERVER, RDTLS_AES128_CM_SHA1_80);
}

/* What s_client types after done is application data: counted and
 * discarded, the keys stand.  The end of its input is a close_notify:
 * the keys end. */
static void test_data_after_done_is_discarded_and_a_close_notify_ends_the_keys(void **state)
{
	struct pki *k = *state;
	struct rdtls_keys before, after;
	struct rdtls_stats st;
	struct side s;
	struct peer p;

	if (!k)
		skip();
	done_with_s_client(&s, &p, k);
	assert_int_equal(rdtls_conn_keys(s.c, &before), 0);
	peer_say(&p, "hello, relay\n");
	side_run(&s, &p, appdata_seen, 3000);
	rdtls_conn_stats(s.c, &st);
	assert_int_equal(st.appdata, 1);
	assert_int_equal(rdtls_conn_keys(s.c, &after), 0);
	assert_memory_equal(&before, &after, sizeof(before));
	close(p.in);
	p.in = -1;
	side_run(&s, &p, closed, 3000);
	assert_int_equal(rdtls_conn_state(s.c), RDTLS_CLOSED);
	assert_string_equal(rdtls_conn_reason(s.c), "the peer closed the association (close_notify)");
	assert_int_equal(rdtls_conn_keys(s.c, &after), -ESHUTDOWN);
	peer_stop(&p);
	rdtls_conn_free(s.c);
	close(s.fd);
}

/* s_client's "R" asks for renegotiation: rtd answers no_renegotiation,
 * and OpenSSL's client gives up with a fatal alert, which ends it. */
static void test_renegotiation_is_refused(void **state)
{
	struct pki *k = *state;
	struct side s;
	struct peer p;

	if (!k)
		skip();
	done_with_s_client(&s, &p, k);
	peer_say(&p, "R\n");
	side_run(&s, &p, closed, 3000);
	/* Its stderr may come after the alert that ended it. */
	assert_true(peer_says(&p, "RENEGOTIATING\n", 3000));
	assert_true(peer_says(&p, ":no renegotiation:", 3000));
	assert_int_equal(rdtls_conn_state(s.c), RDTLS_CLOSED);
	assert_string_equal(rdtls_conn_reason(s.c), "the peer sent a fatal alert: handshake failure");
	peer_stop(&p);
	rdtls_conn_free(s.c);
	close(s.fd);
}

static void test_openssl_s_client_with_another_certificate_is_refused(void **state)
{
	struct pki *k = *state;
	struct side s;
	struct peer p;

	if (!k)
		skip();
	side_open(&s);
	/* rtd expects its own certificate from the peer. */
	s.c = harness_conn(k->rtd, RDTLS_SERVER, k->rtd, 0, 0, 5000);
	s_client(&p, k, s.port, RDTLS_AES128_CM_SHA1_80);
	side_run(&s, &p, settled, 5000);
	assert_int_equal(rdtls_conn_state(s.c), RDTLS_FAILED);
	assert_non_null(strstr(rdtls_conn_reason(s.c), "fingerprint differs from the SDP's"));
	peer_stop(&p);
	rdtls_conn_free(s.c);
	close(s.fd);
}

static void test_openssl_s_server_gets_the_same_keys_from_rtd_as_client(void **state)
{
	const uint16_t all[] = { RDTLS_AES128_CM_SHA1_80, RDTLS_AEAD_AES_256_GCM };
	struct pki *k = *state;

	if (!k)
		skip();
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		char len[8], where[64], *colon;
		char *argv[] = { "openssl", "s_server", "-dtls1_2", "-accept", "127.0.0.1:0",
				 "-mtu", "1200", "-cert", k->crt, "-key", k->key, "-verify", "1",
				 "-use_srtp", (char *)openssl_profile(all[i]), "-keymatexport",
				 "EXTRACTOR-dtls_srtp", "-keymatexportlen", len, "-naccept", "1",
				 NULL };
		struct side s;
		struct peer p;

		snprintf(len, sizeof(len), "%u", km_len(all[i]));
		side_open(&s);
		peer_start(&p, argv);
		assert_true(peer_wait(&p, "ACCEPT ", where, sizeof(where), 5000));
		s.c = harness_conn(k->rtd, RDTLS_CLIENT, k->peer, 0, 0, 5000);
		colon = strrchr(where, ':');
		assert_non_null(colon);
		side_peer(&s, (uint16_t)atoi(colon + 1));
		side_run(&s, &p, peer_has_keys, 5000);
		assert_same_keys(&s, &p, "    Keying material: ", RDTLS_CLIENT, all[i]);
		peer_stop(&p);
		rdtls_conn_free(s.c);
		close(s.fd);
	}
}

/* ---- aiortc ---- */

static bool have_aiortc(void)
{
	return access(PYTHON, X_OK) == 0 && access(PEER_SCRIPT, R_OK) == 0 &&
	       system(PYTHON " -c 'import aiortc.rtcdtlstransport' >/dev/null 2>&1") == 0;
}

static bool peer_closed(struct side *s, struct peer *p)
{
	char v[16];

	return closed(s, p) && peer_line(p, "closed", v, sizeof(v));
}

/* aiortc as role against rtd; the keys must agree, and aiortc's close
 * must end them. */
static void aiortc_against(struct rdtls_identity *rtd, const char *role)
{
	enum rdtls_role ours = !strcmp(role, "client") ? RDTLS_SERVER : RDTLS_CLIENT;
	char port[16], fp[256], line[300], err[160];
	char *argv[] = { PYTHON, PEER_SCRIPT, (char *)role, port, NULL };
	struct rdtls_conn_opts o = { .role = ours, .nfps = 1, .deadline_ms = 10000 };
	struct rdtls_fp theirs;
	struct side s;
	struct peer p;

	side_open(&s);
	snprintf(port, sizeof(port), "%u", s.port);
	peer_start(&p, argv);
	if (!peer_wait(&p, "fingerprint ", fp, sizeof(fp), 10000))
		print_error("aiortc said:\n%s\n", p.text);
	assert_true(peer_line(&p, "fingerprint ", fp, sizeof(fp)));
	assert_int_equal(rdtls_fp_parse(&theirs, fp, strlen(fp), err, sizeof(err)), 0);
	assert_true(peer_line(&p, "port ", port, sizeof(port)));
	side_peer(&s, (uint16_t)atoi(port));
	o.fps = &theirs;
	assert_int_equal(rdtls_conn_new(&s.c, rtd, &o), 0);
	snprintf(line, sizeof(line), "%s\n", rdtls_identity_fingerprint(rtd));
	peer_say(&p, line);
	side_run(&s, &p, peer_has_keys, 10000);
	/* aiortc offers AES128_CM_SHA1_80 alone. */
	assert_same_keys(&s, &p, "keys ", ours, RDTLS_AES128_CM_SHA1_80);
	peer_say(&p, "close\n");
	side_run(&s, &p, peer_closed, 5000);
	assert_int_equal(rdtls_conn_state(s.c), RDTLS_CLOSED);
	assert_string_equal(rdtls_conn_reason(s.c), "the peer closed the association (close_notify)");
	assert_int_equal(peer_stop(&p), 0);
	rdtls_conn_free(s.c);
	close(s.fd);
}

static void test_aiortc_as_client_gets_the_same_keys_from_rtd_as_server(void **state)
{
	struct rdtls_identity *rtd;

	(void)state;
	if (!have_aiortc())
		skip();
	rtd = harness_identity();
	aiortc_against(rtd, "client");
	rdtls_identity_free(rtd);
}

static void test_aiortc_as_server_gets_the_same_keys_from_rtd_as_client(void **state)
{
	struct rdtls_identity *rtd;

	(void)state;
	if (!have_aiortc())
		skip();
	rtd = harness_identity();
	aiortc_against(rtd, "server");
	rdtls_identity_free(rtd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_s_client_gets_the_same_keys_from_rtd_as_server),
		cmocka_unit_test(test_data_after_done_is_discarded_and_a_close_notify_ends_the_keys),
		cmocka_unit_test(test_renegotiation_is_refused),
		cmocka_unit_test(test_openssl_s_client_with_another_certificate_is_refused),
		cmocka_unit_test(test_openssl_s_server_gets_the_same_keys_from_rtd_as_client),
		cmocka_unit_test(test_aiortc_as_client_gets_the_same_keys_from_rtd_as_server),
		cmocka_unit_test(test_aiortc_as_server_gets_the_same_keys_from_rtd_as_client),
	};

	/* A peer that dies must not take the test with it. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, pki_setup, pki_teardown);
}
