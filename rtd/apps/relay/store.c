// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "apps/relay/ng.h"
#include "apps/relay/redis.h"
#include "apps/relay/store.h"
#include "lib/clock.h"
#include "log.h"

static const char store_magic[8] = "rtdcall\n";

struct store {
	char dir[300];
	struct ng *n;
	pthread_t thread;
	bool running, stop;
	uint64_t errors;
	/* What is on disk, as this thread last wrote it: compared under the
	 * ng lock, written outside it. */
	bool on_disk[CALLS_MAX];
	bool pending[CALLS_MAX]; /* to write (on_disk) or remove (!on_disk) */
	uint64_t written_ns[CALLS_MAX];
	struct store_rec rec[CALLS_MAX];
};

int store_dir(const char *state, char *out, size_t len)
{
	int n = snprintf(out, len, "%s.calls", state);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static uint32_t rec_crc(const struct store_rec *r)
{
	uLong c = crc32(0, (const Bytef *)&r->call, sizeof(r->call));

	return (uint32_t)crc32(c, (const Bytef *)r->st, sizeof(r->st));
}

void store_encode(struct store_rec *r, unsigned slot, const struct call *call,
		  const struct call_stream_state st[CALL_STREAMS])
{
	memset(r, 0, sizeof(*r));
	memcpy(r->magic, store_magic, sizeof(r->magic));
	r->version = STORE_VERSION;
	r->call_size = sizeof(r->call);
	r->state_size = sizeof(r->st[0]);
	r->nstates = CALL_STREAMS;
	r->slot = slot;
	r->call = *call;
	memcpy(r->st, st, sizeof(r->st));
	r->crc = rec_crc(r);
}

int store_check(const struct store_rec *r, size_t len)
{
	if (len != sizeof(*r) || memcmp(r->magic, store_magic, sizeof(r->magic)))
		return -EBADMSG;
	if (r->version != STORE_VERSION || r->call_size != sizeof(r->call) ||
	    r->state_size != sizeof(r->st[0]) || r->nstates != CALL_STREAMS)
		return -EPROTO;
	return r->crc == rec_crc(r) && r->slot < CALLS_MAX ? 0 : -EBADMSG;
}

static void rec_path(const char *dir, unsigned slot, char *out, size_t len, bool tmp)
{
	snprintf(out, len, tmp ? "%s/.call-%04u.tmp" : "%s/call-%04u", dir, slot);
}

/* Whole or not at all: a reader after a crash finds the old record or the new. */
static int write_rec(const char *dir, const struct store_rec *r)
{
	char path[340], tmp[340];
	ssize_t n;
	int fd;

	rec_path(dir, r->slot, path, sizeof(path), false);
	rec_path(dir, r->slot, tmp, sizeof(tmp), true);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = write(fd, r, sizeof(*r));
	if (n != (ssize_t)sizeof(*r) || close(fd)) {
		int err = n < 0 ? -errno : -EIO;

		unlink(tmp);
		return err;
	}
	return rename(tmp, path) ? -errno : 0;
}

static int read_rec(const char *path, struct store_rec *r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, r, sizeof(*r));
	/* One byte more than a record means another layout. */
	if (n == (ssize_t)sizeof(*r) && read(fd, &(char){ 0 }, 1) > 0)
		n = -1;
	close(fd);
	return store_check(r, n < 0 ? 0 : (size_t)n);
}

/* "call-NNNN": its slot, or -1. */
static int slot_of(const char *name)
{
	char *end;
	long v;

	if (strncmp(name, "call-", 5))
		return -1;
	v = strtol(name + 5, &end, 10);
	return *end || end == name + 5 || v < 0 || v >= CALLS_MAX ? -1 : (int)v;
}

static int restore_one(const char *dir, const char *name, struct calls *c, uint64_t now)
{
	static struct store_rec r; /* 3 KB: off the stack of a thread of any size */
	char path[340];
	int slot = slot_of(name), err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	err = slot < 0 ? -EBADMSG : read_rec(path, &r);
	if (!err && r.slot != (unsigned)slot)
		err = -EBADMSG;
	if (!err)
		err = calls_restore(c, slot, &r.call, r.st, now);
	if (!err)
		return 1;
	log_warn("store", "%s: %s: not restored", path,
		 err == -EPROTO	   ? "written by another version of rtd"
		 : err == -EBADMSG ? "damaged"
		 : err == -ERANGE  ? "a port outside the RT port set"
				   : strerror(-err));
	unlink(path);
	return 0;
}

int store_restore(const char *dir, struct calls *c, uint64_t now)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int restored = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			restored += restore_one(dir, e->d_name, c, now);
		else if (!strncmp(e->d_name, ".call-", 6))
			unlinkat(dirfd(d), e->d_name, 0); /* a write a crash cut short */
	closedir(d);
	return restored;
}

int store_clear(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if ((!strncmp(e->d_name, "call-", 5) || !strncmp(e->d_name, ".call-", 6)) &&
		    !unlinkat(dirfd(d), e->d_name, 0))
			n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Whether two saved SRTP states differ in what a restart cannot do
 * without, SSRC by SSRC (their order is recency, which alternating SSRCs
 * swap): the SSRCs, an SRTP index moved by 8192 (a resumed receiver
 * guesses the ROC right within 32768 of the truth) and an SRTCP index by
 * 4096 (RSRTP_RESUME_RTCP_SKIP covers what goes between).
 */
static bool same_srtp(const struct rsrtp_saved *a, const struct rsrtp_saved *b)
{
	if (a->n != b->n || a->n > RSRTP_SAVED)
		return false;
	for (uint32_t i = 0; i < a->n; i++) {
		const struct rsrtp_saved_ssrc *x = &a->s[i], *y = NULL;

		for (uint32_t j = 0; j < b->n && !y; j++)
			if (b->s[j].ssrc == x->ssrc)
				y = &b->s[j];
		if (!y || x->rtp != y->rtp || x->rtcp != y->rtcp ||
		    x->rtp_index >> 13 != y->rtp_index >> 13 ||
		    x->rtcp_index >> 12 != y->rtcp_index >> 12)
			return false;
	}
	return true;
}

/* What of a stream's state a restart needs: not its counters, which move. */
static bool same_state(const struct call_stream_state *a, const struct call_stream_state *b)
{
	return a->latched == b->latched && a->blocked == b->blocked &&
	       a->dtls_keyed == b->dtls_keyed &&
	       !memcmp(&a->peer, &b->peer, sizeof(a->peer)) &&
	       !memcmp(&a->local, &b->local, sizeof(a->local)) &&
	       same_srtp(&a->srtp_rx, &b->srtp_rx) && same_srtp(&a->srtp_tx, &b->srtp_tx);
}

static bool changed(const struct store *s, unsigned i, const struct call *call,
		    const struct call_stream_state *st, uint64_t now)
{
	const struct store_rec *r = &s->rec[i];

	if (!s->on_disk[i] || memcmp(&r->call, call, sizeof(*call)))
		return true;
	for (unsigned k = 0; k < CALL_STREAMS; k++)
		if (!same_state(&r->st[k], &st[k]))
			return true;
	return now - s->written_ns[i] >= STORE_COUNTERS_MS * NSEC_PER_MSEC &&
	       memcmp(r->st, st, sizeof(r->st));
}

/* Under the ng lock: which records to write or remove, copied. */
static void compare(struct store *s, uint64_t now)
{
	static struct call_stream_state st[CALL_STREAMS];
	struct calls *c = &s->n->calls;

	for (unsigned i = 0; i < CALLS_MAX; i++) {
		const struct call *call = &c->call[i];

		if (!call->used) {
			s->pending[i] = s->on_disk[i];
			s->on_disk[i] = false;
			continue;
		}
		calls_stream_state(c, call, st);
		if (!changed(s, i, call, st, now))
			continue;
		store_encode(&s->rec[i], i, call, st);
		s->on_disk[i] = s->pending[i] = true;
		s->written_ns[i] = now;
	}
}

static void failed(struct store *s, const char *what, int err)
{
	/* Once, then every thousandth: a full disk must not fill the journal. */
	if (!s->errors++ || !(s->errors % 1000))
		log_err("store", "%s: %s (%llu errors so far); calls go on, not kept", what,
			strerror(-err), (unsigned long long)s->errors);
}

int store_scan(struct store *s)
{
	char path[340];
	int err = 0;

	pthread_mutex_lock(&s->n->lock);
	compare(s, clock_ns());
	pthread_mutex_unlock(&s->n->lock);
	for (unsigned i = 0; i < CALLS_MAX; i++) {
		int e = 0;

		if (!s->pending[i])
			continue;
		s->pending[i] = false;
		redis_put(s->n->redis, i, s->on_disk[i] ? &s->rec[i] : NULL);
		if (s->on_disk[i]) {
			e = write_rec(s->dir, &s->rec[i]);
		} else {
			rec_path(s->dir, i, path, sizeof(path), false);
			e = unlink(path) && errno != ENOENT ? -errno : 0;
		}
		if (e) {
			/* Tried again at the next scan. */
			s->on_disk[i] = false;
			failed(s, s->dir, e);
			err = e;
		}
	}
	return err;
}

static void *store_main(void *arg)
{
	struct store *s = arg;
	const struct timespec scan = { 0, STORE_SCAN_MS * NSEC_PER_MSEC };

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		nanosleep(&scan, NULL);
		store_scan(s);
	}
	return NULL;
}

int store_new(struct store **out, const char *dir, struct ng *n)
{
	struct store *s;

	if (strlen(dir) >= sizeof(s->dir))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		log_err("store", "%s: %s", dir, strerror(errno));
		return -errno;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->n = n;
	*out = s;
	return 0;
}

void store_free(struct store *s)
{
	free(s);
}

int store_start(struct store **out, const char *dir, struct ng *n)
{
	struct store *s;
	int err = store_new(&s, dir, n);

	if (err)
		return err;
	err = -pthread_create(&s->thread, NULL, store_main, s);
	if (err) {
		store_free(s);
		return err;
	}
	pthread_setname_np(s->thread, "rtd-store");
	s->running = true;
	*out = s;
	return 0;
}

void store_stop(struct store *s)
{
	if (!s)
		return;
	if (s->running) {
		__atomic_store_n(&s->stop, true, __ATOMIC_RELAXED);
		pthread_join(s->thread, NULL);
		store_scan(s);
	}
	store_free(s);
}
