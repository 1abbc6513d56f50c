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

/*
 * X(id, name, stat, flags); the handler is ng_cmd_<id>, and stat is the
 * command's name in rtpengine's statistics (offercount, blkmediacount...).
 */
#define NG_COMMANDS(X)                                                  \
	X(ping, "ping", "ping", 0)                                      \
	X(offer, "offer", "offer", 0)                                   \
	X(answer, "answer", "answer", 0)                                \
	X(delete, "delete", "delete", 0)                                \
	X(query, "query", "query", NG_NEEDS_CALL)                       \
	X(list, "list", "list", 0)                                      \
	X(statistics, "statistics", "stats", 0)                         \
	X(block_media, "block media", "blkmedia", NG_NEEDS_CALL)        \
	X(unblock_media, "unblock media", "unblkmedia", NG_NEEDS_CALL)  \
	X(start_recording, "start recording", "startrec", NG_NEEDS_CALL) \
	X(stop_recording, "stop recording", "stoprec", NG_NEEDS_CALL)   \
	X(start_forwarding, "start forwarding", "startfwd", NG_NEEDS_CALL) \
	X(stop_forwarding, "stop forwarding", "stopfwd", NG_NEEDS_CALL) \
	X(block_dtmf, "block DTMF", "blkdtmf", NG_NEEDS_CALL)           \
	X(unblock_dtmf, "unblock DTMF", "unblkdtmf", NG_NEEDS_CALL)     \
	X(play_dtmf, "play DTMF", "playdtmf", NG_NEEDS_CALL)

enum ng_cmd_id {
#define X(id, name, stat, flags) NG_CMD_##id,
	NG_COMMANDS(X)
#undef X
	NG_NCMDS,
};

/* One message as the handlers see it. */
struct ng_msg {
	const char *buf;
	const struct bencode_tok *t; /* t[0]: the message's dictionary */
	struct call *call;           /* NG_NEEDS_CALL: the call named */
};

#define X(id, name, stat, flags) \
	int ng_cmd_##id(struct ng *n, const struct ng_msg *m, struct bencode_w *w);
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
/* Whether the list value of key holds word (rtcp-mux: ["demux"], replace: ["origin"]). */
bool ng_list_has(const struct ng_msg *m, const char *key, const char *word);
/* The names and stat names of the commands, for statistics. */
extern const char *const ng_cmd_names[NG_NCMDS];
extern const char *const ng_cmd_stat_names[NG_NCMDS];

#endif
