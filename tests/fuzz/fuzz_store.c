// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A kept call as the next start reads it back: the input is the bytes of
 * a struct call and its streams' state (a record whose CRC is then made
 * to match, so that calls_restore sees every layout a damaged or hostile
 * file could hold), restored into a fresh call table over ports
 * 30000-30019.  Properties: a call comes back whole or not at all; what it
 * took (ports, stream slots, steering) is exactly what freeing it gives
 * back; the raw input as a record is refused unless it is one.
 */
#include <arpa/inet.h>
#include <stdbool.h>

#include "apps/relay/store.h"
#include "fuzz.h"
#include "fuzz_call.h"
#include "lib/clock.h"
#include "log.h"

static struct relay *relay;
static struct portset ports;
static struct rtd_app_env env;
static struct calls *calls;
static int steered;

static int stub_steer(void *ctx, uint16_t port, bool on)
{
	(void)ctx;
	(void)port;
	steered += on ? 1 : -1;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[64];

	(void)argc;
	(void)argv;
	log_set_level(0);
	relay = calloc(1, sizeof(*relay));
	calls = calloc(1, sizeof(*calls));
	if (!relay || !calls || ring_init(&relay->cmds, 65536, sizeof(struct rcmd)) ||
	    portset_parse("30000-30019", &ports, err, sizeof(err)))
		abort();
	env = (struct rtd_app_env){ .ports = &ports, .steer = stub_steer };
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct store_rec rec;
	static struct call call;
	static struct call_stream_state st[CALL_STREAMS];
	struct rcmd c;
	unsigned free_pairs, free_idx;
	int err;

	/* The raw bytes as a record: refused unless they are one. */
	if (size == sizeof(rec)) {
		memcpy(&rec, data, size);
		valid_bools(&rec.call, rec.st);
		if (!store_check(&rec, size))
			FUZZ_CHECK(!memcmp(rec.magic, "rtdcall\n", 8), "a record without the magic");
	}
	memset(&call, 0, sizeof(call));
	memset(st, 0, sizeof(st));
	memcpy(&call, data, size < sizeof(call) ? size : sizeof(call));
	if (size > sizeof(call))
		memcpy(st, data + sizeof(call),
		       size - sizeof(call) < sizeof(st) ? size - sizeof(call) : sizeof(st));
	valid_bools(&call, st);
	call.used = true;
	store_encode(&rec, 0, &call, st);
	FUZZ_CHECK(!store_check(&rec, sizeof(rec)), "an encoded record refused");

	calls_init(calls, relay, &env);
	steered = 0;
	free_pairs = portset_count(&calls->free_ports);
	free_idx = calls->nfree_idx;
	err = calls_restore(calls, 0, &rec.call, rec.st, clock_ns());
	if (err) {
		/* A refused restore leaves the table as it found it. */
		FUZZ_CHECK(!calls->ncalls && !calls->call[0].used, "half a call restored (%d)", err);
		FUZZ_CHECK(portset_count(&calls->free_ports) == free_pairs, "ports lost (%d)", err);
		FUZZ_CHECK(calls->nfree_idx == free_idx, "stream slots lost (%d)", err);
		FUZZ_CHECK(steered == 0, "steered %d (%d)", steered, err);
	} else {
		FUZZ_CHECK(calls->ncalls == 1 && calls->call[0].used, "restored, but not there");
		FUZZ_CHECK(steered == (int)(calls->call[0].nmedia * 4), "steered %d", steered);
		calls_free(calls, &calls->call[0]);
		FUZZ_CHECK(portset_count(&calls->free_ports) == free_pairs, "ports not given back");
		FUZZ_CHECK(calls->nfree_idx == free_idx, "stream slots not given back");
		FUZZ_CHECK(steered == 0, "steering left on: %d", steered);
	}
	/* SRTP contexts of SDES legs (sec_resume) go with their commands, as
	 * the RT thread would hand them back. */
	while (!ring_pop(&relay->cmds, &c)) {
		if (c.op != RCMD_KEYS)
			continue;
		if (c.rx)
			rsrtp_fini(c.rx);
		if (c.tx)
			rsrtp_fini(c.tx);
		free(c.rx);
		free(c.tx);
	}
	return 0;
}
