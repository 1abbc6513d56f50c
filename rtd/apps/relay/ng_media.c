// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The commands on a call's media besides offer and answer: block media and
 * unblock media, and the rtpengine features rtd does not have, answered as
 * errors that say so, so that a script calling them fails clearly.
 */
#include <string.h>

#include "apps/relay/ng_cmd.h"

/* The leg a command names by its from-tag (or to-tag); -1: the whole call. */
static int tagged_leg(const struct ng_msg *m)
{
	static const char *const keys[] = { "from-tag", "to-tag" };
	char tag[64];

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (ng_get_str(m, keys[k], tag, sizeof(tag)) || !tag[0])
			continue;
		for (int leg = 0; leg < 2; leg++)
			if (!strcmp(m->call->leg[leg].tag, tag))
				return leg;
		return -2; /* a tag the call does not have */
	}
	return -1;
}

static int block(struct ng *n, const struct ng_msg *m, struct bencode_w *w, bool on)
{
	int leg = ng_has_flag(m, "all") ? -1 : tagged_leg(m);

	if (leg == -2)
		return ng_reply_error(n, w, "Unknown tag");
	/* As rtpengine: the media a participant sends stops reaching the others. */
	calls_block(&n->calls, m->call, leg, on);
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_end(w);
	return 0;
}

int ng_cmd_block_media(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	return block(n, m, w, true);
}

int ng_cmd_unblock_media(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	return block(n, m, w, false);
}

#define NOT_HERE(id, what)                                                                \
	int ng_cmd_##id(struct ng *n, const struct ng_msg *m, struct bencode_w *w)        \
	{                                                                                 \
		(void)m;                                                                  \
		return ng_reply_error(n, w, what);                                        \
	}

NOT_HERE(start_recording, "Call recording is not available: rtd relays media, it does not record it")
NOT_HERE(stop_recording, "Call recording is not available: rtd relays media, it does not record it")
NOT_HERE(start_forwarding, "Media forwarding is not available: rtd relays media between the call's legs only")
NOT_HERE(stop_forwarding, "Media forwarding is not available: rtd relays media between the call's legs only")
NOT_HERE(block_dtmf, "DTMF blocking is not available: rtd relays RTP events without reading them")
NOT_HERE(unblock_dtmf, "DTMF blocking is not available: rtd relays RTP events without reading them")
NOT_HERE(play_dtmf, "DTMF injection is not available: rtd does not generate media")
