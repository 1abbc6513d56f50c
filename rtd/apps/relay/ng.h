/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ng control side of the relay: rtpengine's protocol ("<cookie>
 * <bencoded dict>" over UDP), so that a SIP server such as Kamailio drives
 * rtd's relay exactly as it drives rtpengine.  It owns the call table and
 * runs on its own non-RT thread (ng_server.c); the commands themselves
 * (ng_cmd.c and the handlers it lists) need no socket or thread, which is
 * how the unit tests drive them.
 */
#ifndef RELAY_NG_H
#define RELAY_NG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <rtd/app.h>

#include "apps/relay/allow.h"
#include "apps/relay/bencode.h"
#include "apps/relay/calls.h"
#include "apps/relay/conf.h"
#include "apps/relay/relay.h"

#define NG_MAX_MSG 65536
#define NG_MAX_TOKS 1024
#define NG_CACHE 64
#define NG_IGNORED 16

struct ng_cached {
	char cookie[64];
	size_t clen; /* a cookie is bytes, NULs and all: compared by length */
	size_t len;
	char reply[2048];
};

struct ng_server;

/* Who sends commands, and how many and how long each kind took. */
#define NG_PROXIES 16
#define NG_NCMDS_MAX 24

struct ng_proxy {
	struct in6_addr addr; /* v4-mapped for IPv4 */
	uint64_t count[NG_NCMDS_MAX];
	uint64_t ns[NG_NCMDS_MAX];
	uint64_t errors;
};

struct ng {
	struct calls calls;
	const struct relay_conf *conf;
	pthread_mutex_t lock; /* calls, against the control thread's rtctl calls */
	uint64_t refused, cmds, errors;
	/* Per command: replies that were errors, and load limits. */
	uint64_t cmd_errors[NG_NCMDS_MAX], cmd_refused[NG_NCMDS_MAX];
	uint64_t start_ns;
	struct ng_proxy proxy[NG_PROXIES];
	unsigned nproxies;
	struct ng_proxy *current; /* the sender of the message being served */
	struct ng_relayed rate;   /* per second, sampled once a second */
	struct ng_relayed rate_last;
	uint64_t rate_ns;
	struct ng_cached cache[NG_CACHE];
	unsigned cache_next;
	char ignored[NG_IGNORED][32]; /* keys warned about once */
	unsigned nignored;
	uint32_t unused_logged; /* known keys rtd does not act on, logged (bits) */
	uint64_t unlogged;     /* unknown keys past those, not logged one by one */
	uint64_t unlogged_ns;  /* when they were last summed up in the log */
	struct bencode_tok toks[NG_MAX_TOKS];
	char sdp_out[NG_MAX_MSG / 2];
	char json_in[NG_MAX_MSG];    /* a JSON request as bencode */
	char json_reply[NG_MAX_MSG]; /* its reply in bencode, before JSON */
	struct ng_server *srv; /* sockets and thread; NULL without (tests) */
	struct store *store;   /* calls kept across restarts; NULL: not kept */
	struct rdtls_identity *dtls_id; /* rtd's certificate for DTLS-SRTP; NULL: not yet */
	char store_dir[300];
	struct redis *redis;   /* calls kept in Redis too (--redis); NULL: not */
	bool ready;            /* the state dir's calls are back: a standby may claim */
};

/* The control state without sockets or thread (ng_start adds those). */
struct ng *ng_new(struct relay *r, const struct rtd_app_env *env);
void ng_free(struct ng *n);
/*
 * One "<cookie> <bencoded dict>" datagram from from: the reply in out and
 * its length, or 0 for no reply (sender not allowed, no cookie).
 */
int ng_command(struct ng *n, const char *msg, size_t len, const struct sockaddr_storage *from,
	       char *out, size_t outlen);
/* Ends the calls silent for longer than the media timeout at now; how many. */
unsigned ng_expire(struct ng *n, uint64_t now);
/* Once a second: the relayed rates statistics shows. */
void ng_sample(struct ng *n, uint64_t now);
/* What the relay has relayed so far, ended calls included. */
void ng_relayed(const struct ng *n, struct ng_relayed *out);

/* ng_server.c: sockets on the ng-listen addresses and the ng thread. */
int ng_start(struct relay *r, const struct rtd_app_env *env);
void ng_stop(struct relay *r);
/* For rtctl calls: a record per leg and media; count. */
int ng_calls(struct relay *r, struct rtd_ctl_call *out, unsigned max);

#endif
