/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef RTCTL_H
#define RTCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "rtd/ctl.h"

/* Exit codes, as ip(8): 1 for usage and local errors, 2 for rtd's errors. */
#define EXIT_USAGE 1
#define EXIT_DAEMON 2

struct rtctl {
	const char *sock;
	bool json;
	bool pretty;
};

/* client.c: one request, one reply; rep points into a static buffer. */
int client_call(const struct rtctl *c, const struct rtd_ctl_req *req,
		const struct rtd_ctl_rep **rep);
/* Build a request, call, and report errors as "rtctl: what: msg"; exit code or 0. */
int client_do(const struct rtctl *c, unsigned cmd, const struct portset *ports, const char *what,
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

bool matches(const char *arg, const char *word);

int do_status(struct rtctl *c, int argc, char **argv);
int do_port(struct rtctl *c, int argc, char **argv);
int do_stats(struct rtctl *c, int argc, char **argv);
int do_neigh(struct rtctl *c, int argc, char **argv);
int do_sched(struct rtctl *c, int argc, char **argv);

#endif
