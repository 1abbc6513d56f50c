/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef RTCTL_H
#define RTCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <rtd/ctl.h>

/* Exit codes, as ip(8): 1 for usage and local errors, 2 for rtd's errors. */
#define EXIT_USAGE 1
#define EXIT_DAEMON 2

struct rtctl {
	const char *sock;  /* -s, or found on first use (client.c) */
	const char *iface; /* -i */
	bool json;
	bool pretty;
	char sockbuf[108];
};

/*
 * client.c: one request, one reply.  *rep points into a buffer reused by the
 * next call; the reply is checked (version, command, record size and count
 * against its length, strings terminated) before it is handed out.  Errors
 * are printed as one line, "rtctl: what: reason"; returns 0 or an exit code.
 */
int client_call(struct rtctl *c, const struct rtd_ctl_req *req, const char *what,
		const struct rtd_ctl_rep **rep);
/* The same for a request with no arguments but ports (NULL: none). */
int client_do(struct rtctl *c, unsigned cmd, const struct portset *ports, const char *what,
	      const struct rtd_ctl_rep **rep);

/* json.c: a tiny streaming writer, like iproute2's json_print. */
void json_begin(bool pretty);
void json_obj_open(const char *key);
void json_obj_close(void);
void json_arr_open(const char *key);
void json_arr_close(void);
void json_str(const char *key, const char *val);
void json_u64(const char *key, unsigned long long v);
void json_i64(const char *key, long long v);
void json_end(void);

/*
 * Unique-prefix lookup of an object or a verb, as ip(8) abbreviates: "p l" is
 * "port list".  An exact name always wins; names sharing an id are aliases.
 * Returns the id, or -1 after printing "rtctl: <what>'x' is unknown" or
 * "... is ambiguous (a, b)".  what is "" or "port: ".
 */
struct verb {
	const char *name;
	int id;
};
int lookup(const char *what, const char *arg, const struct verb *v, size_t n);
#define LOOKUP(what, arg, table) lookup(what, arg, table, sizeof(table) / sizeof(table[0]))

int do_status(struct rtctl *c, int argc, char **argv);
int do_port(struct rtctl *c, int argc, char **argv);
int do_stats(struct rtctl *c, int argc, char **argv);
int do_neigh(struct rtctl *c, int argc, char **argv);
int do_sched(struct rtctl *c, int argc, char **argv);
int do_calls(struct rtctl *c, int argc, char **argv);

#endif
