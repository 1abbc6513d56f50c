/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * For the targets that feed call records of any bytes to the relay
 * (fuzz_store, fuzz_redis).
 */
#ifndef FUZZ_CALL_H
#define FUZZ_CALL_H

#include <stdint.h>

#include "apps/relay/calls.h"

#define FUZZ_BOOL(x) ((x) = *(volatile uint8_t *)&(x) & 1)

/*
 * What rtd itself wrote holds only valid bools (the CRC vouches for the
 * bytes); a record of any bytes with a matching CRC is the hostile case,
 * and a bool of 116 would be undefined before any check of ours could run.
 */
static inline void valid_bools(struct call *c, struct call_stream_state *st)
{
	FUZZ_BOOL(c->used);
	FUZZ_BOOL(c->answered);
	FUZZ_BOOL(c->strict);
	for (int i = 0; i < CALLS_MAX_MEDIA; i++) {
		FUZZ_BOOL(c->media[i].mux_out);
		for (int l = 0; l < 2; l++) {
			FUZZ_BOOL(c->media[i].leg[l].mux);
			FUZZ_BOOL(c->media[i].leg[l].mux_offered);
			FUZZ_BOOL(c->media[i].leg[l].ice);
		}
	}
	for (int l = 0; l < 2; l++)
		FUZZ_BOOL(c->leg[l].ice_sdp);
	for (int k = 0; k < CALL_STREAMS; k++) {
		FUZZ_BOOL(st[k].latched);
		FUZZ_BOOL(st[k].blocked);
	}
}

#undef FUZZ_BOOL

#endif
