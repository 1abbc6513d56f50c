/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ng commands as one table: name, handler, and whether the command
 * names a call that must exist.  rtpengine's control_ng.h X-macro is the
 * model: the dispatch, the handlers' declarations and the names come from
 * the one list.
 */
#ifndef RELAY_NG_CMD_H
#define RELAY_NG_CMD_H

#include "apps/relay/ng.h"

#define NG_NEEDS_CALL 0x1 /* "No call-id" / "Unknown call-id" before the handler */

/* X(id, name, flags); the handler is ng_cmd_<id>. */
#define NG_COMMANDS(X)                             \
	X(ping, "ping", 0)                         \
	X(offer, "offer", 0)                       \
	X(answer, "answer", 0)                     \
	X(delete, "delete", NG_NEEDS_CALL)         \
	X(query, "query", NG_NEEDS_CALL)           \
	X(list, "list", 0)                         \
	X(statistics, "statistics", 0)

/* One message as the handlers see it. */
struct ng_msg {
	const char *buf;
	const struct bencode_tok *t; /* t[0]: the message's dictionary */
	struct call *call;           /* NG_NEEDS_CALL: the call named */
};

#define X(id, name, flags) int ng_cmd_##id(struct ng *n, const struct ng_msg *m, struct bencode_w *w);
NG_COMMANDS(X)
#undef X

/* Helpers for handlers (ng_cmd.c). */
int ng_reply_error(struct ng *n, struct bencode_w *w, const char *why);
/* result: load limit, counted as refused. */
int ng_reply_load_limit(struct ng *n, struct bencode_w *w);
/* A string value of key into out: 0, -ENOENT, or -E2BIG/-EINVAL. */
int ng_get_str(const struct ng_msg *m, const char *key, char *out, size_t len);
/* Whether the "flags" list holds flag. */
bool ng_has_flag(const struct ng_msg *m, const char *flag);

#endif
