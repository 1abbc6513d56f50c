// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "apps/relay/sec.h"

/* ---- the ng keys ---- */

/* rtpengine takes protocol names as flag words too ("RTP/AVP"). */
static bool is_proto(const char *w, size_t n)
{
	static const char *const protos[] = {
		"RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF", "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF",
	};

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strlen(protos[i]) == n && !memcmp(protos[i], w, n))
			return true;
	return false;
}

/* Each string of the list at key k (or the key's one string) through fn. */
static int each_word(const struct ng_msg *m, const char *k,
		     int (*fn)(void *arg, const char *w, size_t n, char *err, size_t errlen),
		     void *arg, char *err, size_t errlen)
{
	int t = bencode_dict_get(m->buf, m->t, 0, k), err_;

	if (t < 0)
		return 0;
	if (m->t[t].type == BENCODE_STR)
		return fn(arg, m->buf + m->t[t].start, m->t[t].len, err, errlen);
	if (m->t[t].type != BENCODE_LIST)
		return 0;
	for (int e = bencode_first(m->t, t); e >= 0; e = bencode_next(m->t, t, e)) {
		if (m->t[e].type != BENCODE_STR)
			continue;
		err_ = fn(arg, m->buf + m->t[e].start, m->t[e].len, err, errlen);
		if (err_)
			return err_;
	}
	return 0;
}

static int sdes_word(void *arg, const char *w, size_t n, char *err, size_t errlen)
{
	struct sec_req *q = arg;
	int r = sdes_flag(&q->sdes, w, n, err, errlen);

	/* Flags rtd takes without effect are for the log, not an error. */
	return r == SDES_IGNORED ? 0 : r;
}

/* A flags word: a protocol, or "SDES-..." (rtpengine-ng-client's spelling). */
static int flag_word(void *arg, const char *w, size_t n, char *err, size_t errlen)
{
	struct sec_req *q = arg;

	if (is_proto(w, n) && !q->proto[0]) {
		snprintf(q->proto, sizeof(q->proto), "%.*s", (int)n, w);
		return 0;
	}
	if (n > 5 && !strncasecmp(w, "SDES-", 5))
		return sdes_word(arg, w, n, err, errlen);
	return 0;
}

static int dtls_key(const struct ng_msg *m, const char *k, bool *given, uint8_t *wish, char *err,
		    size_t errlen)
{
	char v[32];
	enum rdtls_wish w;

	if (ng_get_str(m, k, v, sizeof(v)))
		return 0;
	if (rdtls_wish_parse(v, strlen(v), &w)) {
		snprintf(err, errlen, "%s: '%s' is not passive, active or off", k, v);
		return -EINVAL;
	}
	*given = true;
	*wish = (uint8_t)w;
	return 0;
}

int sec_req_read(const struct ng_msg *m, struct sec_req *q, char *err, size_t errlen)
{
	char v[32];
	int r;

	memset(q, 0, sizeof(*q));
	if (!ng_get_str(m, "transport-protocol", v, sizeof(v))) {
		if (!is_proto(v, strlen(v))) {
			snprintf(err, errlen, "transport-protocol: '%s' is not one rtd relays", v);
			return -EINVAL;
		}
		snprintf(q->proto, sizeof(q->proto), "%.23s", v);
	}
	r = each_word(m, "SDES", sdes_word, q, err, errlen);
	if (!r)
		r = each_word(m, "flags", flag_word, q, err, errlen);
	if (!r)
		r = dtls_key(m, "DTLS", &q->dtls_given, &q->dtls, err, errlen);
	if (!r)
		r = dtls_key(m, "DTLS-reverse", &q->dtls_rev_given, &q->dtls_rev, err, errlen);
	return r ? -EINVAL : 0;
}

/* ---- what an SDP says ---- */

static bool proto_tls(const char *p)
{
	return !strncmp(p, "UDP/TLS/", 8) || !strncmp(p, "TCP/TLS/", 8);
}

static bool proto_savp(const char *p)
{
	return strstr(p, "SAVP") != NULL;
}

/* How a protocol alone asks to be secured. */
static int proto_mode(const char *p)
{
	return proto_tls(p) ? CALL_SEC_DTLS : proto_savp(p) ? CALL_SEC_SDES : CALL_SEC_NONE;
}

/* How the peer's own SDP secures its media: SAVP with a=crypto is SDES;
 * with a fingerprint (UDP/TLS, or an older RTP/SAVPF) DTLS. */
static int peer_mode(const struct call_sec *s)
{
	if (proto_tls(s->proto) && s->nfps)
		return CALL_SEC_DTLS;
	if (proto_savp(s->proto) && s->npeer)
		return CALL_SEC_SDES;
	if (proto_savp(s->proto) && s->nfps)
		return CALL_SEC_DTLS;
	return CALL_SEC_NONE;
}

static int take_crypto(struct call_sec *sec, const struct sdp_media *sm, const char *body,
		       unsigned mi, char *err, size_t errlen)
{
	char why[SDES_ERR_MAX];

	sec->npeer = 0;
	for (unsigned k = 0; k < sm->ncrypto; k++) {
		struct sdes_crypto c;
		int r = sdes_parse(body + sm->crypto[k].off, sm->crypto[k].len, &c, why, sizeof(why));

		/* Lines rtd cannot use are skipped: an offer lists alternatives. */
		if (r == -ENOTSUP)
			continue;
		if (r) {
			snprintf(err, errlen, "media %u: a=crypto: %s", mi + 1, why);
			return -EINVAL;
		}
		if (sec->npeer < RSRTP_NSUITES)
			sec->peer[sec->npeer++] = c;
	}
	return 0;
}

static int take_dtls(struct call_sec *sec, const struct sdp_media *sm, const char *body,
		     unsigned mi, char *err, size_t errlen)
{
	char why[96];
	enum rdtls_setup su = RDTLS_SETUP_NONE;

	sec->nfps = 0;
	if (sm->fingerprint.len) {
		if (rdtls_fp_parse(&sec->fps[0], body + sm->fingerprint.off, sm->fingerprint.len, why,
				   sizeof(why))) {
			snprintf(err, errlen, "media %u: a=fingerprint: %s", mi + 1, why);
			return -EINVAL;
		}
		sec->nfps = 1;
	}
	if (sm->setup.len && rdtls_setup_parse(body + sm->setup.off, sm->setup.len, &su)) {
		snprintf(err, errlen, "media %u: a=setup:%.*s is not actpass, active, passive or holdconn",
			 mi + 1, (int)(sm->setup.len > 16 ? 16 : sm->setup.len), body + sm->setup.off);
		return -EINVAL;
	}
	sec->peer_setup = (uint8_t)su;
	return 0;
}

int sec_take(struct call *call, int speaker, const struct sdp_session *sdp, const char *body,
	     char *err, size_t errlen)
{
	for (unsigned i = 0; i < sdp->nmedia && i < CALLS_MAX_MEDIA; i++) {
		const struct sdp_media *sm = &sdp->media[i];
		struct call_sec *sec = &call->media[i].leg[speaker].sec;

		snprintf(sec->proto, sizeof(sec->proto), "%s", sm->proto);
		snprintf(sec->mid, sizeof(sec->mid), "%.*s",
			 (int)(sm->mid.len < sizeof(sec->mid) ? sm->mid.len : 0), body + sm->mid.off);
		if (take_crypto(sec, sm, body, i, err, errlen) ||
		    take_dtls(sec, sm, body, i, err, errlen))
			return -EINVAL;
	}
	return 0;
}

/* ---- the offer ---- */

/* rtd's key for suite, the one it had if it had one (a re-offer keeps it). */
static int own_key(const struct sec_req *q, struct call_sec *sec, unsigned k, uint32_t tag,
		   enum rsrtp_suite suite)
{
	struct sdes_crypto *c = &sec->own[k];

	if (k < sec->nown && c->key.suite == suite && c->tag == tag)
		return 0;
	c->tag = tag;
	return sdes_key_new(&q->sdes, suite, &c->key);
}

/* The offerer's side, which gets the answer: rtd answers its SDES now. */
static int offerer_side(const struct sec_req *q, struct call_sec *s, char *err, size_t errlen)
{
	int i;

	if (s->mode == CALL_SEC_DTLS) {
		/* Its role waits for the answer, whose DTLS flag it honours. */
		s->wish = q->dtls_rev_given ? q->dtls_rev : RDTLS_WISH_DEFAULT;
		return 0;
	}
	if (s->mode != CALL_SEC_SDES)
		return 0;
	i = sdes_answer(&q->sdes, s->peer, s->npeer);
	if (i < 0 || own_key(q, s, 0, s->peer[i].tag, s->peer[i].key.suite)) {
		snprintf(err, errlen, "no key for the offer's a=crypto");
		return -EINVAL;
	}
	s->nown = 1;
	s->peer_i = (int8_t)i;
	s->own_i = 0;
	return 0;
}

static int format_crypto(struct sec_out *out, unsigned mi, unsigned k, const struct sdes_crypto *c,
			 const struct sec_req *q)
{
	return sdes_format(out->crypto[mi][k], sizeof(out->crypto[mi][k]), c->tag, &c->key,
			   q->sdes.pad) < 0
		       ? -EINVAL
		       : 0;
}

/* The answerer's side, which gets the offer: rtd's a=crypto lines or DTLS. */
static int answerer_side(const struct sec_req *q, const struct call_sec *from, struct call_sec *s,
			 const char *fingerprint, struct sec_out *out, unsigned mi)
{
	struct sdp_sec *o = &out->sec[mi];

	if (s->mode == CALL_SEC_SDES) {
		enum rsrtp_suite offered[RSRTP_NSUITES], suites[RSRTP_NSUITES];
		unsigned n = 0, ns;

		for (unsigned k = 0; from->mode == CALL_SEC_SDES && k < from->npeer; k++)
			offered[n++] = from->peer[k].key.suite;
		ns = sdes_offer(&q->sdes, offered, n, suites);
		for (unsigned k = 0; k < ns; k++) {
			if (own_key(q, s, k, k + 1, suites[k]) || format_crypto(out, mi, k, &s->own[k], q))
				return -EINVAL;
			o->crypto[k] = out->crypto[mi][k];
		}
		s->nown = (uint8_t)ns;
		o->ncrypto = ns;
		s->peer_i = s->own_i = -1;
	} else if (s->mode == CALL_SEC_DTLS) {
		/* actpass whatever the flag says: JSEP offers must (RFC 8829
		 * 5.2.1), browsers and aiortc refuse others, rtpengine does the
		 * same; the answer's a=setup then gives rtd its role. */
		s->wish = q->dtls_given ? q->dtls : RDTLS_WISH_DEFAULT;
		s->setup = RDTLS_SETUP_ACTPASS;
		o->fingerprint = fingerprint;
		o->setup = rdtls_setup_word(s->setup);
	}
	return 0;
}

static int offer_media(struct call_media *cm, unsigned mi, const struct sec_req *q,
		       const char *fingerprint, struct sec_out *out, struct sdp_rewrite *rw,
		       char *err, size_t errlen)
{
	struct call_sec *s = &cm->leg[0].sec, *a = &cm->leg[1].sec;
	const char *proto = q->proto[0] ? q->proto : s->proto;
	int in = peer_mode(s), outm = proto_mode(proto);

	snprintf(a->proto, sizeof(a->proto), "%s", proto);
	if (in == outm && !strcmp(proto, s->proto)) {
		/* Secured alike on both legs, or plain on both: untouched. */
		s->mode = a->mode = in == CALL_SEC_NONE ? CALL_SEC_NONE : CALL_SEC_PASS;
		return 0;
	}
	s->mode = (uint8_t)in;
	a->mode = (uint8_t)outm;
	out->sec[mi].proto = a->proto;
	rw->sec[mi] = &out->sec[mi];
	if (offerer_side(q, s, err, errlen))
		return -EINVAL;
	return answerer_side(q, s, a, fingerprint, out, mi);
}

/* ---- the answer ---- */

/* The answerer's a=crypto: which of rtd's lines it took. */
static int answered_sdes(struct call_sec *a, char *err, size_t errlen)
{
	for (unsigned j = 0; j < a->npeer; j++) {
		for (unsigned k = 0; k < a->nown; k++) {
			if (a->own[k].tag != a->peer[j].tag ||
			    a->own[k].key.suite != a->peer[j].key.suite)
				continue;
			a->peer_i = (int8_t)j;
			a->own_i = (int8_t)k;
			return 0;
		}
	}
	/* Plain answered to rtd's SRTP: the answerer will not secure it. */
	if (peer_mode(a) == CALL_SEC_NONE) {
		a->mode = CALL_SEC_NONE;
		return 0;
	}
	snprintf(err, errlen, "the answer's a=crypto matches no line rtd offered");
	return -EINVAL;
}

static int answered_dtls(struct call_sec *a, char *err, size_t errlen)
{
	enum rdtls_role role;

	if (peer_mode(a) != CALL_SEC_DTLS) {
		a->mode = CALL_SEC_NONE;
		return 0;
	}
	if (rdtls_setup_answered(a->setup, a->peer_setup, &role)) {
		snprintf(err, errlen, "a=setup:%s answers rtd's a=setup:%s as RFC 5763 forbids",
			 rdtls_setup_word(a->peer_setup) ?: "(none)", rdtls_setup_word(a->setup));
		return -EINVAL;
	}
	a->role = (uint8_t)role;
	return 0;
}

/* What the offerer gets back: rtd's answer to its own security. */
static int to_offerer(struct call_sec *s, unsigned mi, const struct sec_req *q,
		      const char *fingerprint, struct sec_out *out, char *err, size_t errlen)
{
	struct sdp_sec *o = &out->sec[mi];
	enum rdtls_role role;
	enum rdtls_setup ours;

	o->proto = s->proto;
	/* An answer names the offer's media by their mids (RFC 8843). */
	o->mid = s->mid[0] ? s->mid : NULL;
	if (s->mode == CALL_SEC_SDES && s->own_i >= 0) {
		if (format_crypto(out, mi, 0, &s->own[s->own_i], q))
			return -EINVAL;
		o->crypto[0] = out->crypto[mi][0];
		o->ncrypto = 1;
	} else if (s->mode == CALL_SEC_DTLS) {
		if (rdtls_setup_answer(s->peer_setup, q->dtls_given ? q->dtls : s->wish, &role,
				       &ours)) {
			snprintf(err, errlen, "no DTLS role for the offer's a=setup");
			return -EINVAL;
		}
		s->role = (uint8_t)role;
		s->setup = (uint8_t)ours;
		o->fingerprint = fingerprint;
		o->setup = rdtls_setup_word(ours);
	}
	return 0;
}

static int answer_media(struct call_media *cm, unsigned mi, const struct sec_req *q,
			const char *fingerprint, struct sec_out *out, struct sdp_rewrite *rw,
			char *err, size_t errlen)
{
	struct call_sec *s = &cm->leg[0].sec, *a = &cm->leg[1].sec;
	int r = 0;

	if (a->mode == CALL_SEC_PASS || (a->mode == CALL_SEC_NONE && s->mode == CALL_SEC_NONE))
		return 0;
	if (a->mode == CALL_SEC_SDES)
		r = answered_sdes(a, err, errlen);
	else if (a->mode == CALL_SEC_DTLS)
		r = answered_dtls(a, err, errlen);
	if (r)
		return r;
	rw->sec[mi] = &out->sec[mi];
	return to_offerer(s, mi, q, fingerprint, out, err, errlen);
}

int sec_negotiate(struct call *call, int speaker, unsigned nmedia, const struct sec_req *q,
		  const char *fingerprint, struct sec_out *out, struct sdp_rewrite *rw, char *err,
		  size_t errlen)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < nmedia && i < CALLS_MAX_MEDIA; i++) {
		struct call_media *cm = &call->media[i];
		int r = speaker ? answer_media(cm, i, q, fingerprint, out, rw, err, errlen)
				: offer_media(cm, i, q, fingerprint, out, rw, err, errlen);

		if (r)
			return r;
		/* A leg rtd secures with DTLS needs rtd's identity. */
		if (!fingerprint && (cm->leg[0].sec.mode == CALL_SEC_DTLS ||
				     cm->leg[1].sec.mode == CALL_SEC_DTLS)) {
			snprintf(err, errlen, "DTLS-SRTP asked for, but rtd has no certificate");
			return -EINVAL;
		}
	}
	return 0;
}

bool sec_wants_dtls(const struct call *call)
{
	for (unsigned i = 0; i < call->nmedia; i++)
		for (int l = 0; l < 2; l++)
			if (call->media[i].leg[l].sec.mode == CALL_SEC_DTLS)
				return true;
	return false;
}

const char *sec_mode_name(const struct call_sec *s)
{
	static const char *const names[] = { "plain", "end to end", "SDES", "DTLS" };

	if (s->mode == CALL_SEC_SDES && s->own_i >= 0)
		return rsrtp_suites[s->own[s->own_i].key.suite].name;
	return s->mode < sizeof(names) / sizeof(names[0]) ? names[s->mode] : "?";
}
