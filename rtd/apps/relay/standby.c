// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "apps/relay/ng.h"
#include "apps/relay/sec.h"
#include "apps/relay/standby.h"
#include "lib/addr.h"
#include "lib/clock.h"
#include "log.h"

void standby_init(struct standby *s)
{
	memset(s, 0, sizeof(*s));
}

struct warm_call *standby_find(struct standby *s, const char *id)
{
	for (unsigned i = 0; i < CALLS_MAX; i++)
		if (s->w[i].used && s->w[i].rec.call.call_id[0] == id[0] &&
		    !strcmp(s->w[i].rec.call.call_id, id))
			return &s->w[i];
	return NULL;
}

static struct warm_call *free_entry(struct standby *s)
{
	for (unsigned i = 0; i < CALLS_MAX; i++)
		if (!s->w[i].used)
			return &s->w[i];
	return NULL;
}

static void drop(struct standby *s, struct warm_call *w)
{
	w->used = false;
	s->n--;
	s->full_logged = false;
}

int standby_put(struct standby *s, const char *id, const void *val, size_t len)
{
	static struct store_rec r; /* 2.5 KB, aligned: the value is any bytes */
	struct warm_call *w;

	if (len != sizeof(r))
		return -EBADMSG;
	memcpy(&r, val, len);
	if (store_check(&r, len) || !r.call.used ||
	    !memchr(r.call.call_id, 0, sizeof(r.call.call_id)) || strcmp(r.call.call_id, id))
		return -EBADMSG;
	w = standby_find(s, id);
	if (!w && !(w = free_entry(s))) {
		s->full++;
		if (!s->full_logged)
			log_warn("standby", "%u calls kept warm already: call '%s' and others past "
					    "it are not, and cannot be taken over",
				 CALLS_MAX, id);
		s->full_logged = true;
		return -ENOSPC;
	}
	if (!w->used) {
		memset(w, 0, sizeof(*w));
		w->used = true;
		s->n++;
	}
	w->rec = r;
	w->gen = s->gen;
	return 0;
}

bool standby_del(struct standby *s, const char *id)
{
	struct warm_call *w = standby_find(s, id);

	if (w)
		drop(s, w);
	return w != NULL;
}

void standby_sweep(struct standby *s)
{
	for (unsigned i = 0; i < CALLS_MAX; i++)
		if (s->w[i].used && s->w[i].gen != s->gen)
			drop(s, &s->w[i]);
}

enum standby_verdict standby_decide(const struct store_rec *r, standby_is_local *is_local,
				    void *ctx)
{
	unsigned mine = 0, nmedia = r->call.nmedia;

	for (unsigned m = 0; m < nmedia && m < CALLS_MAX_MEDIA; m++) {
		for (int leg = 0; leg < 2; leg++) {
			for (int k = 0; k < 2; k++) {
				const struct rtd_ep *l = &r->st[CALL_STREAM(m, leg, k)].local;

				/* A stream without a peer yet has no local address either. */
				if (!l->family)
					continue;
				if (!is_local(ctx, l->family, &l->addr))
					return STANDBY_WAIT;
				mine++;
			}
		}
	}
	return mine ? STANDBY_CLAIM : STANDBY_WAIT;
}

/*
 * One tick asks about the same few service addresses for every call: the
 * answers are kept for the tick (a seqlock read of the mirror each, but
 * 4096 calls with 16 streams would make that 65536 reads).
 */
struct memo {
	standby_is_local *is_local;
	void *ctx;
	unsigned n;
	struct {
		int family;
		struct in6_addr a;
		bool local;
	} e[16];
};

static bool memo_is_local(void *ctx, int family, const struct in6_addr *a)
{
	struct memo *m = ctx;
	bool local;

	for (unsigned i = 0; i < m->n; i++)
		if (m->e[i].family == family && !memcmp(&m->e[i].a, a, sizeof(*a)))
			return m->e[i].local;
	local = m->is_local(m->ctx, family, a);
	if (m->n < sizeof(m->e) / sizeof(m->e[0]))
		m->e[m->n++] = (typeof(m->e[0])){ family, *a, local };
	return local;
}

static const char *first_local(const struct store_rec *r, char *buf)
{
	for (unsigned k = 0; k < CALL_STREAMS; k++)
		if (r->st[k].local.family)
			return addr_str(r->st[k].local.family, &r->st[k].local.addr, buf);
	return "";
}

static void refused(struct standby *s, struct warm_call *w, int err, uint64_t now)
{
	w->retry_ns = now + STANDBY_RETRY_MS * NSEC_PER_MSEC;
	if (w->refused)
		return;
	w->refused = true;
	s->refused++;
	log_warn("standby", "call '%s' is this host's now but cannot be taken over: %s",
		 w->rec.call.call_id,
		 err == -EEXIST	  ? "its ports are taken here"
		 : err == -ERANGE ? "a port of it is not in the RT port set"
		 : err == -ENOSPC ? "no call or stream slot left"
				  : strerror(-err));
}

/* Under the ng lock: the call into n's table, or why not. */
static int claim(struct ng *n, const struct warm_call *w, uint64_t now)
{
	int err;

	struct call *call;

	pthread_mutex_lock(&n->lock);
	err = calls_find(&n->calls, w->rec.call.call_id)
		      ? -EALREADY
		      : calls_claim(&n->calls, &w->rec.call, w->rec.st, now);
	/* As a restart's restore: the RT side learns which legs are secured,
	 * and the DTLS ones get their keys from the agent. */
	call = err ? NULL : calls_find(&n->calls, w->rec.call.call_id);
	if (call)
		sec_post(&n->calls, call, n->dtls_id, NULL);
	pthread_mutex_unlock(&n->lock);
	return err;
}

unsigned standby_tick(struct standby *s, struct ng *n, standby_is_local *is_local, void *ctx,
		      uint64_t now)
{
	struct memo m = { .is_local = is_local, .ctx = ctx };
	unsigned claimed = 0;
	char a[INET6_ADDRSTRLEN];

	for (unsigned i = 0; i < CALLS_MAX && s->n; i++) {
		struct warm_call *w = &s->w[i];
		int err;

		if (!w->used || now < w->retry_ns ||
		    standby_decide(&w->rec, memo_is_local, &m) != STANDBY_CLAIM)
			continue;
		err = claim(n, w, now);
		if (err == -EALREADY) {
			drop(s, w); /* this rtd's own, restored from its state dir */
			continue;
		}
		if (err) {
			refused(s, w, err, now);
			continue;
		}
		log_info("standby", "call '%s' taken over: %s is this host's now",
			 w->rec.call.call_id, first_local(&w->rec, a));
		s->claimed++;
		claimed++;
		drop(s, w);
	}
	return claimed;
}
