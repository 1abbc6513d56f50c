/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ng messages in JSON: rtpengine takes "<cookie> {json object}" beside
 * "<cookie> <bencoded dict>" and answers a JSON request in JSON
 * (rtpengine-ng-client --json, NGCP::Rtpengine).  This is only the
 * conversion: a JSON request into the bencode the ng commands read, and
 * their bencoded reply back into JSON.  No socket, no state.
 *
 * The caller tells the two apart as rtpengine 10.5 does, by the body's
 * first byte: '{' is JSON, 'd' bencode; anything else (leading blanks, a
 * JSON array) is answered in bencode, "Invalid NG data format".
 *
 * What rtpengine 10.5.3.5 (Debian 12) answered, verbatim, after the
 * request's cookie and one space; compact, keys in the order the reply
 * was built, '/' not escaped, no trailing newline:
 *   {"command":"ping"}  ->  {"result":"pong"}
 *   {"command":"list"}  ->  {"calls":["a84b4c76e66710@pc33.atla"],"result":"ok"}
 *   {"call-id":"nosuchcall","command":"query"}
 *                       ->  {"result":"error","error-reason":"Unknown call-id"}
 *   {"command":"ping"} x
 *                       ->  {"result":"error","error-reason":"Failed to parse JSON document"}
 *   {"command":"list","limit":null}  (or 1.5, 2.0, 1e0)
 *                       ->  {"result":"error","error-reason":"Could not decode bencode dictionary"}
 */
#ifndef RELAY_NG_JSON_H
#define RELAY_NG_JSON_H

#include <stddef.h>

/*
 * One JSON object (the body after the cookie's space, len bytes, no NUL
 * needed) into the same message in bencode: object to dict in the same key
 * order, array to list, string to string (UTF-8 bytes, "\u0000" a NUL
 * byte), integer to integer, true and false to 1 and 0.  Returns the
 * bencode's length, or -EBADMSG (not one JSON object, trailing bytes but
 * white space, invalid UTF-8, a key twice in one object, null, a number
 * that is not an integer or is outside int64, containers nested deeper
 * than BENCODE_MAX_DEPTH), -ENOSPC (out too small) or -ENOMEM.
 */
int ng_json_to_bencode(const char *json, size_t len, char *out, size_t outlen);

/*
 * One bencoded dictionary (a reply) into compact JSON, keys in their
 * order, not NUL-terminated.  Bytes that are not UTF-8 become \u00XX, the
 * Latin-1 code point of each, so the JSON is valid whatever the strings
 * hold.  Returns the JSON's length, or -EBADMSG (not one bencoded dict, or
 * nested deeper than BENCODE_MAX_DEPTH), -ENOSPC (out too small) or
 * -ENOMEM.
 */
int ng_json_from_bencode(const char *benc, size_t len, char *out, size_t outlen);

#endif
