/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Calls that survive a crash or a restart of rtd: each call is kept in a
 * file of its own under STATE.calls/ (STATE the instance's state path), by
 * a thread of its own that notices changes every STORE_SCAN_MS, so neither
 * the RT thread nor the ng thread ever waits for a disk.  The next start
 * reads them back before it serves anything (store_restore), and the calls
 * go on where they were: ports, steering, latched peers, counters.
 *
 * What is kept is the call as the ng thread has it (struct call) and the
 * RT side's state of its streams (struct call_stream_state), in a record
 * with a version, the sizes it was written with and a CRC: a record of
 * another layout or a damaged one is left out, and said so.
 */
#ifndef RELAY_STORE_H
#define RELAY_STORE_H

#include <stdint.h>

#include "apps/relay/calls.h"

/* Bumped whenever struct call or struct call_stream_state change meaning. */
#define STORE_VERSION 3
#define STORE_SCAN_MS 100
/* Counters alone change all the time: a call is written for them at most this often. */
#define STORE_COUNTERS_MS 10000

struct ng;
struct store;

/* The record of one call, as it is written. */
struct store_rec {
	char magic[8];     /* "rtdcall\n" */
	uint32_t version;  /* STORE_VERSION */
	uint32_t call_size, state_size, nstates;
	uint32_t slot;
	uint32_t crc;      /* CRC-32 of call and st */
	struct call call;
	struct call_stream_state st[CALL_STREAMS];
};

/* The directory for an instance's state path: STATE.calls. */
int store_dir(const char *state, char *out, size_t len);

/*
 * Before the ng thread starts: every call kept in dir back into c.  How
 * many came back, or a negative errno when dir cannot be read (none:
 * 0).  A record that cannot come back is logged and removed.
 */
int store_restore(const char *dir, struct calls *c, uint64_t now);

/*
 * With calls not kept (--keep-calls no): the records an earlier run left
 * in dir removed, so that a later start that keeps calls does not bring
 * back calls long gone.  How many, or a negative errno.
 */
int store_clear(const char *dir);

/* The thread that keeps n's calls in dir; 0 or a negative errno. */
int store_start(struct store **out, const char *dir, struct ng *n);
/* Writes what changed since the last scan, then stops. */
void store_stop(struct store *s);

/* For tests: one scan and its writes, without the thread. */
int store_scan(struct store *s);
int store_new(struct store **out, const char *dir, struct ng *n);
void store_free(struct store *s);

/* Record encoding, exposed for tests and the fuzz target. */
void store_encode(struct store_rec *r, unsigned slot, const struct call *call,
		  const struct call_stream_state st[CALL_STREAMS]);
/* 0, or -EBADMSG (not a record, damaged) or -EPROTO (another layout). */
int store_check(const struct store_rec *r, size_t len);

#endif
