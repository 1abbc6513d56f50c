// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JSON <-> bencode for ng messages.  What rtpengine does, read in its
 * source (daemon/bencode.c bencode_convert_json*() in mr10.5.3.5, the
 * version Debian 12 ships; daemon/control_ng.c in later ones) and checked
 * against the running 10.5.3.5:
 *
 * - true and false: rtpengine reads them as the integers 1 and 0
 *   (json_node_get_int() of a boolean; later versions count G_TYPE_BOOLEAN
 *   as an integer too): {"command":"list","limit":true} listed one call,
 *   false none.  So do we: i1e, i0e.
 * - null and numbers with a fraction or exponent (1.5, 2.0, 1e0): 10.5
 *   refuses the whole message, "Could not decode bencode dictionary".
 *   Later versions parse JSON natively and read such a value as if the key
 *   were absent.  We refuse (-EBADMSG): bencode has nothing to carry them,
 *   and dropping the key silently would change what the message asks for
 *   (a "ptime" of 20.5 is not a missing ptime).
 * - A key twice in one object: json-glib keeps the last one
 *   ({"command":"ping","command":"list"} listed calls), but a bencode dict
 *   with both would be read first-match by bencode_dict_get, the other
 *   one.  Neither is what a sender can mean, so -EBADMSG.
 * - Integers beyond int64: 10.5 read 99999999999999999999 as something
 *   negative ("invalid limit, must be >= 0"); we refuse.
 * - json-glib also takes '...' strings and comments; jansson, strict
 *   RFC 8259, does not.  No client sends them.
 * - "\u0000": json-glib cuts the string there ("ping\u0000x" was a ping);
 *   here it is a NUL byte, as bencode can carry and as the reply direction
 *   writes a NUL byte, so a string survives the round trip.
 *
 * Replies: json-glib writes strings byte for byte, so a call-id that is not
 * UTF-8 made 10.5's "list" answer invalid JSON ("c\xff\xfe" raw), and it
 * left 0x1f unescaped.  Here each byte that is not part of a well-formed
 * UTF-8 sequence (RFC 3629: no overlongs, surrogates or code points past
 * U+10FFFF) becomes \u00XX, its Latin-1 code point: the JSON is valid,
 * distinct bytes stay distinct (U+FFFD would merge them all), and ASCII
 * and UTF-8, all that SIP call-ids and tags are in practice, pass
 * unchanged.  Control characters are escaped as json-glib escapes them
 * (\b \t \n \f \r, else \u00XX lowercase, DEL too).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "apps/relay/bencode.h"
#include "apps/relay/ng_json.h"
#include "lib/obuf.h"

static int put_json(struct bencode_w *w, json_t *v, unsigned depth);

static int put_object(struct bencode_w *w, json_t *v, unsigned depth)
{
	int err;

	bencode_w_dict(w);
	for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
		bencode_w_str(w, json_object_iter_key(it), json_object_iter_key_len(it));
		err = put_json(w, json_object_iter_value(it), depth + 1);
		if (err)
			return err;
	}
	bencode_w_end(w);
	return 0;
}

static int put_array(struct bencode_w *w, json_t *v, unsigned depth)
{
	size_t i;
	json_t *e;
	int err;

	bencode_w_list(w);
	json_array_foreach(v, i, e) {
		err = put_json(w, e, depth + 1);
		if (err)
			return err;
	}
	bencode_w_end(w);
	return 0;
}

/* depth as bencode_parse counts it: the outermost container is 0. */
static int put_json(struct bencode_w *w, json_t *v, unsigned depth)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		/* So that what we write, bencode_parse reads. */
		if (depth >= BENCODE_MAX_DEPTH)
			return -EBADMSG;
		return json_is_object(v) ? put_object(w, v, depth) : put_array(w, v, depth);
	case JSON_STRING:
		bencode_w_str(w, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		bencode_w_int(w, json_integer_value(v));
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		bencode_w_int(w, json_is_true(v));
		return 0;
	default: /* null, real */
		return -EBADMSG;
	}
}

int ng_json_to_bencode(const char *json, size_t len, char *out, size_t outlen)
{
	/* jansson's limit on depth (2048) is far past ours; put_json checks ours. */
	const size_t flags = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL;
	struct bencode_w w;
	json_error_t jerr;
	json_t *root;
	int err;

	root = json_loadb(json, len, flags, &jerr);
	if (!root)
		return json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : -EBADMSG;
	if (!json_is_object(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	bencode_w_init(&w, out, outlen);
	err = put_json(&w, root, 0);
	json_decref(root);
	return err ? err : bencode_w_finish(&w);
}

/* Length of the well-formed UTF-8 sequence of two to four bytes at p
 * (RFC 3629, table 3-7 of Unicode), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		lo = p[0] == 0xe0 ? 0xa0 : lo; /* overlong */
		hi = p[0] == 0xed ? 0x9f : hi; /* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		lo = p[0] == 0xf0 ? 0x90 : lo; /* overlong */
		hi = p[0] == 0xf4 ? 0x8f : hi; /* past U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* The escape for byte c standing alone, or NULL for a byte written as is. */
static const char *escape(unsigned char c, char tmp[7])
{
	static const char hex[] = "0123456789abcdef";

	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	if (c >= 0x20 && c < 0x7f)
		return NULL;
	/* Controls, DEL, and bytes outside a UTF-8 sequence as Latin-1. */
	memcpy(tmp, "\\u00", 4);
	tmp[4] = hex[c >> 4];
	tmp[5] = hex[c & 15];
	tmp[6] = 0;
	return tmp;
}

/* A string's bytes as a JSON string: runs that need no escape in one put. */
static void put_str(struct obuf *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0, i = 0;
	char tmp[7];

	obuf_put(o, "\"", 1);
	while (i < n) {
		size_t u = p[i] >= 0x80 ? utf8_seq(p + i, n - i) : 0;
		const char *e = u ? NULL : escape(p[i], tmp);

		if (!e) {
			i += u ? u : 1;
			continue;
		}
		obuf_put(o, s + run, i - run);
		obuf_puts(o, e);
		run = ++i;
	}
	obuf_put(o, s + run, n - run);
	obuf_put(o, "\"", 1);
}

/* Token i and its children; bencode_parse bounded the depth. */
static void put_tok(struct obuf *o, const char *buf, const struct bencode_tok *t, int i)
{
	bool dict = t[i].type == BENCODE_DICT;
	unsigned k = 0;

	switch (t[i].type) {
	case BENCODE_INT:
		obuf_printf(o, "%" PRId64, t[i].ival);
		return;
	case BENCODE_STR:
		put_str(o, buf + t[i].start, t[i].len);
		return;
	}
	obuf_puts(o, dict ? "{" : "[");
	for (int c = bencode_first(t, i); c >= 0; c = bencode_next(t, i, c), k++) {
		/* A dict's children alternate key, value. */
		if (k)
			obuf_puts(o, dict && (k & 1) ? ":" : ",");
		put_tok(o, buf, t, c);
	}
	obuf_puts(o, dict ? "}" : "]");
}

int ng_json_from_bencode(const char *benc, size_t len, char *out, size_t outlen)
{
	struct bencode_tok *t;
	struct obuf o;
	size_t ntoks;
	int n;

	/* Every value takes two bytes at least ("0:", "le"), so len / 2 + 1
	 * tokens always suffice; bencode_parse refuses lengths past 32 bits. */
	if (len > UINT32_MAX)
		return -EBADMSG;
	ntoks = len / 2 + 1;
	t = malloc(ntoks * sizeof(*t));
	if (!t)
		return -ENOMEM;
	n = bencode_parse(benc, len, t, ntoks);
	if (n < 0 || t[0].type != BENCODE_DICT) {
		free(t);
		return -EBADMSG;
	}
	obuf_init(&o, out, outlen);
	put_tok(&o, benc, t, 0);
	free(t);
	return obuf_finish(&o);
}
