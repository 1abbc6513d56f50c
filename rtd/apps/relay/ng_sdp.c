// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * offer and answer: the SDP a leg sends is parsed, its media get port pairs
 * on the relay, its addresses become that leg's peers, and the SDP goes on
 * to the other leg rewritten to the relay's address there (its interface,
 * in the family it asked for) and that leg's ports, with the RTCP, rtcp-mux
 * and ICE attributes rtd answers for.  Keys as rtpengine's: direction,
 * address family, media address, replace, rtcp-mux, ICE.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "apps/relay/ng_cmd.h"
#include "apps/relay/sdp.h"
#include "apps/relay/sec.h"
#include "lib/addr.h"
#include "lib/clock.h"
#include "log.h"

enum { ICE_DEFAULT, ICE_REMOVE, ICE_FORCE };

/* What an offer or an answer asks for besides its SDP. */
struct sdp_req {
	int speaker; /* 0: an offer (the offerer speaks), 1: an answer */
	char id[128];
	char tag[64];
	int sdp;     /* the token of the SDP body */
	bool strict;
	bool replace_origin;
	bool no_rtcp;
	int ice;
	uint8_t mux;    /* CALL_MUX_* */
	bool direction; /* dir[] given */
	char dir[2][32];
	int family;     /* address family asked for; 0: the speaker's */
	int media_family;
	struct in6_addr media_addr;
	struct sec_req sec;
};

/* The family of "IP4" / "IP6" (rtpengine also takes "IPv4"...). */
static int family_of(const char *s)
{
	if (!strcmp(s, "IP4") || !strcmp(s, "IPv4"))
		return AF_INET;
	if (!strcmp(s, "IP6") || !strcmp(s, "IPv6"))
		return AF_INET6;
	return 0;
}

static uint8_t mux_flags(const struct ng_msg *m)
{
	static const struct {
		const char *word;
		uint8_t bit;
	} words[] = {
		{ "offer", CALL_MUX_OFFER },	 { "demux", CALL_MUX_DEMUX },
		{ "accept", CALL_MUX_ACCEPT },	 { "reject", CALL_MUX_REJECT },
		{ "require", CALL_MUX_REQUIRE },
	};
	uint8_t f = 0;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char flag[32];

		snprintf(flag, sizeof(flag), "rtcp-mux-%s", words[i].word);
		/* The list rtpengine's module sends, or its flags' spelling. */
		if (ng_list_has(m, "rtcp-mux", words[i].word) || ng_has_flag(m, flag))
			f |= words[i].bit;
	}
	return f;
}

static int ice_of(const struct ng_msg *m)
{
	char v[32];

	if (ng_get_str(m, "ICE", v, sizeof(v)))
		return ICE_DEFAULT;
	if (!strcmp(v, "remove"))
		return ICE_REMOVE;
	/* force-relay, as rtd's are the only candidates, is force. */
	if (!strcmp(v, "force") || !strcmp(v, "force-relay"))
		return ICE_FORCE;
	return ICE_DEFAULT;
}

static int refuse(struct ng *n, struct bencode_w *w, const char *why)
{
	ng_reply_error(n, w, why);
	return -EINVAL;
}

/* The keys; 0, or -EINVAL with the error reply written. */
static int read_req(struct ng *n, const struct ng_msg *m, bool offer, struct sdp_req *q,
		    struct bencode_w *w)
{
	char v[64], why[160];
	int d;

	memset(q, 0, sizeof(*q));
	q->speaker = offer ? 0 : 1;
	if (ng_get_str(m, "call-id", q->id, sizeof(q->id)))
		return refuse(n, w, "No call-id in message");
	q->sdp = bencode_dict_get(m->buf, m->t, 0, "sdp");
	if (q->sdp < 0 || m->t[q->sdp].type != BENCODE_STR)
		return refuse(n, w, "No SDP body in message");
	ng_get_str(m, offer ? "from-tag" : "to-tag", q->tag, sizeof(q->tag));
	q->strict = ng_has_flag(m, "strict-source");
	q->replace_origin = ng_list_has(m, "replace", "origin") || ng_has_flag(m, "replace-origin");
	q->no_rtcp = ng_has_flag(m, "no-rtcp-attribute");
	q->ice = ice_of(m);
	q->mux = mux_flags(m);
	if (!ng_get_str(m, "address-family", v, sizeof(v))) {
		q->family = family_of(v);
		if (!q->family)
			return refuse(n, w, "Invalid address family");
	}
	if (!ng_get_str(m, "media-address", v, sizeof(v)) &&
	    !(q->media_family = addr_parse(v, 0, &q->media_addr)))
		return refuse(n, w, "Invalid media address");
	if (sec_req_read(m, &q->sec, why, sizeof(why)))
		return refuse(n, w, why);
	d = bencode_dict_get(m->buf, m->t, 0, "direction");
	if (d >= 0 && m->t[d].type == BENCODE_LIST && m->t[d].size == 2) {
		int e = bencode_first(m->t, d);

		for (int leg = 0; leg < 2 && e >= 0; leg++, e = bencode_next(m->t, d, e))
			if (bencode_str_copy(m->buf, &m->t[e], q->dir[leg], sizeof(q->dir[leg])))
				return refuse(n, w, "Invalid direction");
		q->direction = true;
	}
	return 0;
}

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
static int add_media(struct ng *n, const struct sdp_req *q, struct call *call, unsigned nmedia,
		     struct bencode_w *w)
{
	unsigned had = call->nmedia;

	for (unsigned i = had; i < nmedia; i++) {
		if (calls_add_media(&n->calls, call, i, q->strict)) {
			calls_drop_media(&n->calls, call, had);
			ng_reply_load_limit(n, w);
			return -ENOSPC;
		}
	}
	return 0;
}

/*
 * leg's address of family on its interface: the local one (what its peer
 * sends to) and the one SDP advertises.  Without --interface, the NIC's own.
 */
static int leg_addr(struct ng *n, const struct call *call, int leg, int family,
		    struct in6_addr *local, struct in6_addr *adv)
{
	const struct relay_ifaces *f = &n->conf->ifaces;
	const struct relay_iface *i;

	if (!f->n) {
		if (n->calls.env->local_addr(n->calls.env->ctx, family, local))
			return -ENOENT;
		*adv = *local;
		return 0;
	}
	i = relay_iface_find(f, call->leg[leg].iface, family);
	if (!i)
		return -ENOENT;
	*local = i->local;
	*adv = i->advertised;
	return 0;
}

/* What the speaker's SDP says of each of its media. */
static void take_sides(struct call *call, const struct sdp_session *sdp, const char *body,
		       int speaker)
{
	struct call_leg *L = &call->leg[speaker];

	L->ice_sdp = false;
	for (unsigned i = 0; i < sdp->nmedia; i++) {
		const struct sdp_media *sm = &sdp->media[i];
		struct call_media *cm = &call->media[i];
		struct call_side *s = &cm->leg[speaker];

		sdp_media_addr(sdp, i, &s->family, &s->addr);
		if (!sm->port)
			s->family = 0; /* rejected: nothing to send to */
		s->rtp = sm->port;
		s->rtcp = sm->rtcp_mux ? sm->port : sm->rtcp_port;
		s->mux_offered = sm->rtcp_mux;
		snprintf(s->ice_ufrag, sizeof(s->ice_ufrag), "%.*s",
			 (int)(sm->ice_ufrag.len < sizeof(s->ice_ufrag) ? sm->ice_ufrag.len : 0),
			 body + sm->ice_ufrag.off);
		L->ice_sdp |= sm->ice;
		if (!speaker) {
			snprintf(cm->type, sizeof(cm->type), "%s", sm->type);
			snprintf(cm->proto, sizeof(cm->proto), "%s", sm->proto);
		}
	}
	if (sdp->nmedia)
		L->family = call->media[0].leg[speaker].family ?: L->family;
}

/*
 * rtcp-mux, as rtpengine decides it.  An offer: what rtd offers the
 * answerer.  An answer: whether each leg muxes from now on.
 */
static void decide_mux(struct call_media *cm, const struct sdp_req *q)
{
	struct call_side *o = &cm->leg[0], *a = &cm->leg[1];
	uint8_t f;

	if (!q->speaker) {
		cm->mux_flags = q->mux;
		f = q->mux;
		cm->mux_out = (f & (CALL_MUX_OFFER | CALL_MUX_REQUIRE)) ||
			      (o->mux_offered && !(f & CALL_MUX_DEMUX));
		a->mux = (f & CALL_MUX_REQUIRE) != 0;
		return;
	}
	/* An answer's own flags, if it has any, say what the offerer gets. */
	f = q->mux ? q->mux : cm->mux_flags;
	a->mux = cm->mux_out && (a->mux_offered || (cm->mux_flags & CALL_MUX_REQUIRE));
	if (f & CALL_MUX_REJECT)
		o->mux = false;
	else if (f & (CALL_MUX_DEMUX | CALL_MUX_ACCEPT | CALL_MUX_OFFER | CALL_MUX_REQUIRE))
		o->mux = o->mux_offered;
	else
		o->mux = o->mux_offered && a->mux;
}

/* The output's ICE: rtd's credentials and host candidates toward leg L. */
static void ice_for(const struct call *call, int L, unsigned i, int family,
		    const struct in6_addr *adv, const struct sdp_rewrite *rw, struct sdp_ice *ice)
{
	memset(ice, 0, sizeof(*ice));
	snprintf(ice->ufrag, sizeof(ice->ufrag), "%s", call->leg[L].ice.ufrag);
	snprintf(ice->pwd, sizeof(ice->pwd), "%s", call->leg[L].ice.pwd);
	ice->cand[0] = (struct sdp_cand){ 1, family, *adv, rw->port[i] };
	ice->ncand = 1;
	if (rw->rtcp_port[i] != rw->port[i])
		ice->cand[ice->ncand++] = (struct sdp_cand){ 2, family, *adv, rw->rtcp_port[i] };
}

struct out {
	struct sdp_rewrite rw;
	struct sdp_ice ice[CALLS_MAX_MEDIA];
};

/* The SDP toward the listener: its address, its ports, rtd's attributes. */
static void build_out(struct call *call, const struct sdp_session *sdp, const struct sdp_req *q,
		      int family, const struct in6_addr *adv, bool ice, struct out *o)
{
	int L = !q->speaker;

	memset(o, 0, sizeof(*o));
	o->rw.family = family;
	o->rw.addr = *adv;
	o->rw.keep_origin = !q->replace_origin;
	o->rw.own_rtcp = true;
	/* Always with the address: some WebRTC stacks (aiortc) read only that form. */
	o->rw.rtcp_full = true;
	o->rw.no_rtcp = q->no_rtcp;
	o->rw.remove_ice = true; /* never the endpoints' own candidates */
	o->rw.ice_lite = ice;
	for (unsigned i = 0; i < sdp->nmedia; i++) {
		struct call_media *cm = &call->media[i];
		bool mux = L ? cm->mux_out : cm->leg[0].mux;
		bool only = L ? (cm->mux_flags & CALL_MUX_REQUIRE) : cm->leg[0].mux;

		o->rw.port[i] = cm->leg[L].port;
		o->rw.rtcp_port[i] = only ? cm->leg[L].port : cm->leg[L].port + 1;
		o->rw.mux[i] = mux;
		cm->leg[L].ice = ice && sdp->media[i].port;
		if (cm->leg[L].ice) {
			ice_for(call, L, i, family, adv, &o->rw, &o->ice[i]);
			o->rw.ice[i] = &o->ice[i];
		}
	}
}

/* The RT side learns the speaker's peers and both legs' topology. */
static void post_media(struct ng *n, struct call *call, const struct sdp_session *sdp,
		       const struct sdp_req *q, const struct rtd_ep *speaker_local,
		       const struct rtd_ep *listener_local)
{
	for (unsigned i = 0; i < sdp->nmedia; i++) {
		if (sdp->media[i].port)
			calls_peer(&n->calls, call, i, q->speaker, speaker_local);
		calls_peer(&n->calls, call, i, !q->speaker, listener_local);
		calls_topology(&n->calls, call, i);
	}
}

static int rewrite(struct ng *n, const struct ng_msg *m, const struct sdp_req *q,
		   const struct sdp_session *sdp, const struct out *o, struct bencode_w *w)
{
	const struct bencode_tok *body = &m->t[q->sdp];
	int len = sdp_rewrite(m->buf + body->start, body->len, sdp, &o->rw, n->sdp_out,
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

/* rtd's a=fingerprint; the identity made on first use where ng_start made none (tests). */
static const char *fingerprint(struct ng *n)
{
	char err[128];

	if (!n->dtls_id && rdtls_identity_new(&n->dtls_id, 0, err, sizeof(err)))
		log_err("dtls", "no certificate: %s", err);
	return n->dtls_id ? rdtls_identity_fingerprint(n->dtls_id) : NULL;
}

/* Security after ICE and mux: what each leg gets, into o, and the RT side told. */
static int secure(struct ng *n, struct call *call, const struct sdp_req *q,
		  const struct sdp_session *sdp, struct out *o, char *err, size_t errlen)
{
	static struct sec_out so;

	return sec_negotiate(call, q->speaker, sdp->nmedia, &q->sec, fingerprint(n), &so, &o->rw,
			     err, errlen);
}

/* Interfaces, addresses, mux and ICE of both legs, then the output. */
static int relay_sdp(struct ng *n, const struct ng_msg *m, const struct sdp_req *q,
		     struct call *call, const struct sdp_session *sdp, struct bencode_w *w)
{
	int S = q->speaker, L = !S, family;
	struct rtd_ep sloc = { 0 }, lloc = { 0 }, local[2];
	struct in6_addr adv, unused;
	static struct out o;
	char err[160];
	bool ice;

	if (!S && q->direction) {
		snprintf(call->leg[0].iface, sizeof(call->leg[0].iface), "%s", q->dir[0]);
		snprintf(call->leg[1].iface, sizeof(call->leg[1].iface), "%s", q->dir[1]);
	}
	take_sides(call, sdp, m->buf + m->t[q->sdp].start, S);
	if (sec_take(call, S, sdp, m->buf + m->t[q->sdp].start, err, sizeof(err)))
		return ng_reply_error(n, w, err);
	/* The listener gets the family asked for, else the offerer's. */
	family = q->family ? q->family : call->leg[L].family ? call->leg[L].family : call->leg[S].family;
	if (!family)
		family = AF_INET;
	call->leg[L].family = family;
	if (leg_addr(n, call, L, family, &lloc.addr, &adv))
		return ng_reply_error(n, w, "No interface of the address family toward the peer");
	lloc.family = family;
	if (q->media_family) {
		family = q->media_family;
		adv = q->media_addr;
	}
	sloc.family = call->leg[S].family ? call->leg[S].family : AF_INET;
	if (leg_addr(n, call, S, sloc.family, &sloc.addr, &unused))
		return ng_reply_error(n, w, "No interface of the SDP's family");
	for (unsigned i = 0; i < sdp->nmedia; i++)
		decide_mux(&call->media[i], q);
	ice = q->ice == ICE_FORCE ||
	      (q->ice == ICE_DEFAULT && (call->leg[S].ice_sdp || call->leg[L].ice_sdp));
	if (ice && !call->leg[L].ice.ufrag[0] && ice_creds_new(&call->leg[L].ice))
		return ng_reply_error(n, w, "No randomness for ICE credentials");
	build_out(call, sdp, q, family, &adv, ice, &o);
	if (secure(n, call, q, sdp, &o, err, sizeof(err)))
		return ng_reply_error(n, w, err);
	post_media(n, call, sdp, q, &sloc, &lloc);
	calls_ice(&n->calls, call);
	local[S] = sloc;
	local[L] = lloc;
	sec_post(&n->calls, call, n->dtls_id, local);
	return rewrite(n, m, q, sdp, &o, w);
}

/* offer (leg 0 speaks) or answer (leg 1 speaks) */
static int sdp_cmd(struct ng *n, const struct ng_msg *m, struct bencode_w *w, bool offer)
{
	char err[128];
	struct sdp_session sdp;
	struct sdp_req q;
	struct call *call;
	bool fresh = false;

	if (read_req(n, m, offer, &q, w))
		return 0;
	if (sdp_parse(m->buf + m->t[q.sdp].start, m->t[q.sdp].len, &sdp, err, sizeof(err)))
		return ng_reply_error(n, w, err);
	if (sdp.nmedia > CALLS_MAX_MEDIA)
		return ng_reply_error(n, w, "Too many media sections");
	if (offer) {
		call = offer_call(n, q.id, sdp.nmedia, &fresh, w);
		if (!call)
			return 0;
	} else {
		call = calls_find(&n->calls, q.id);
		if (!call)
			return ng_reply_error(n, w, "Unknown call-id");
	}
	if (add_media(n, &q, call, sdp.nmedia, w))
		return 0;
	if (fresh) {
		calls_commit(&n->calls, call);
		n->calls.total++;
	}
	if (q.tag[0])
		snprintf(call->leg[q.speaker].tag, sizeof(call->leg[0].tag), "%s", q.tag);
	if (!offer)
		call->answered = true;
	call->signal_ns = clock_ns();
	return relay_sdp(n, m, &q, call, &sdp, w);
}

int ng_cmd_offer(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	return sdp_cmd(n, m, w, true);
}

int ng_cmd_answer(struct ng *n, const struct ng_msg *m, struct bencode_w *w)
{
	return sdp_cmd(n, m, w, false);
}
