// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * offer and answer: the SDP a leg sends is parsed, its media get port pairs
 * on the relay, its addresses become that leg's peers, and the SDP comes
 * back rewritten to the relay's address and the other leg's ports.
 */
#include <errno.h>
#include <string.h>

#include "apps/relay/ng_cmd.h"
#include "apps/relay/sdp.h"
#include "lib/clock.h"
#include "log.h"

/* The call an offer sets up, or finds; NULL with the reply written. */
static struct call *offer_call(struct ng *n, const char *id, unsigned nmedia, bool *fresh,
			       struct bencode_w *w)
{
	struct call *call = calls_find(&n->calls, id);

	*fresh = false;
	if (call)
		return call;
	if (!calls_room(&n->calls, nmedia)) {
		ng_reply_load_limit(n, w);
		return NULL;
	}
	*fresh = true;
	return calls_slot(&n->calls, id, clock_ns());
}

/*
 * Port pairs for the media the call does not have yet: all of them, or
 * none and load limit, however far the call had got.
 */
static int add_media(struct ng *n, const struct ng_msg *m, struct call *call, unsigned nmedia,
		     struct bencode_w *w)
{
	bool strict = ng_has_flag(m, "strict-source");
	unsigned had = call->nmedia;

	for (unsigned i = had; i < nmedia; i++) {
		if (calls_add_media(&n->calls, call, i, strict)) {
			calls_drop_media(&n->calls, call, had);
			ng_reply_load_limit(n, w);
			return -ENOSPC;
		}
	}
	return 0;
}

/* offer (leg 0 speaks) or answer (leg 1 speaks) */
static int sdp_cmd(struct ng *n, const struct ng_msg *m, struct bencode_w *w, bool offer)
{
	char id[128], tag[64] = "", err[128];
	struct sdp_session sdp;
	struct sdp_rewrite rw = { 0 };
	struct call *call;
	int v = bencode_dict_get(m->buf, m->t, 0, "sdp"), leg = offer ? 0 : 1, len;
	bool fresh = false;

	if (ng_get_str(m, "call-id", id, sizeof(id)))
		return ng_reply_error(n, w, "No call-id in message");
	if (v < 0 || m->t[v].type != BENCODE_STR)
		return ng_reply_error(n, w, "No SDP body in message");
	ng_get_str(m, offer ? "from-tag" : "to-tag", tag, sizeof(tag));
	if (sdp_parse(m->buf + m->t[v].start, m->t[v].len, &sdp, err, sizeof(err)))
		return ng_reply_error(n, w, err);
	if (sdp.nmedia > CALLS_MAX_MEDIA)
		return ng_reply_error(n, w, "Too many media sections");
	{
		int tp = bencode_dict_get(m->buf, m->t, 0, "transport-protocol");

		if (tp >= 0 && !bencode_str_is(m->buf, &m->t[tp], "RTP/AVP") &&
		    !bencode_str_is(m->buf, &m->t[tp], "RTP/AVPF"))
			log_info("ng", "transport-protocol other than RTP/AVP is relayed as is");
	}
	if (offer) {
		call = offer_call(n, id, sdp.nmedia, &fresh, w);
		if (!call)
			return 0;
	} else {
		call = calls_find(&n->calls, id);
		if (!call)
			return ng_reply_error(n, w, "Unknown call-id");
	}
	if (add_media(n, m, call, sdp.nmedia, w))
		return 0;
	if (fresh) {
		calls_commit(&n->calls, call);
		n->calls.total++;
	}
	if (tag[0])
		snprintf(call->tag[leg], sizeof(call->tag[leg]), "%s", tag);
	if (!offer)
		call->answered = true;

	/* The speaker's media goes to its own leg; the other side sends to the
	 * ports of the opposite leg, which the rewritten SDP advertises. */
	rw.family = AF_INET;
	for (unsigned i = 0; i < sdp.nmedia; i++) {
		int fam;
		struct in6_addr a;

		sdp_media_addr(&sdp, i, &fam, &a);
		if (i == 0)
			rw.family = fam;
		if (sdp.media[i].port)
			calls_peer(&n->calls, call, i, leg, fam, &a, sdp.media[i].port,
				   sdp.media[i].rtcp_mux ? sdp.media[i].port : sdp.media[i].rtcp_port);
		rw.port[i] = call->media[i].port[!leg];
	}
	if (n->calls.env->local_addr(n->calls.env->ctx, rw.family, &rw.addr))
		return ng_reply_error(n, w, "No local address of the SDP's family");
	{
		int ice = bencode_dict_get(m->buf, m->t, 0, "ICE");

		rw.remove_ice = ice >= 0 && bencode_str_is(m->buf, &m->t[ice], "remove");
	}
	len = sdp_rewrite(m->buf + m->t[v].start, m->t[v].len, &sdp, &rw, n->sdp_out,
			  sizeof(n->sdp_out));
	if (len < 0)
		return ng_reply_error(n, w, "Rewritten SDP too large");
	bencode_w_dict(w);
	bencode_w_kv_str(w, "result", "ok");
	bencode_w_cstr(w, "sdp");
	bencode_w_str(w, n->sdp_out, len);
	bencode_w_end(w);
	return 0;
}

int ng_cmd_offer(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	return sdp_cmd(n, m, w, true);
}

int ng_cmd_answer(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	return sdp_cmd(n, m, w, false);
}
