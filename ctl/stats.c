// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "ctl/rtctl.h"

/*
 * Records arrive flat, in whatever order rtd gathers them; people read them
 * by section and queue.  A section is a group, or an application ("app"
 * records, told apart by owner).  In JSON a section with any per-queue record
 * becomes a list of per-queue objects (records with queue -1 in such a
 * section keep "queue": -1), the others one object; applications go under
 * "apps" by name, whatever their place in the reply.
 */
static bool is_app(const struct rtd_ctl_stat *s)
{
	return !strcmp(s->group, "app");
}

static bool same_section(const struct rtd_ctl_stat *a, const struct rtd_ctl_stat *b)
{
	return !strcmp(a->group, b->group) && (!is_app(a) || !strcmp(a->owner, b->owner));
}

static bool same_line(const struct rtd_ctl_stat *a, const struct rtd_ctl_stat *b)
{
	return same_section(a, b) && !strcmp(a->owner, b->owner) && a->queue == b->queue;
}

/* Whether an earlier record already opened what st[i] belongs to. */
static bool seen_before(const struct rtd_ctl_stat *st, unsigned i,
			bool (*same)(const struct rtd_ctl_stat *, const struct rtd_ctl_stat *))
{
	for (unsigned k = 0; k < i; k++)
		if (same(&st[k], &st[i]))
			return true;
	return false;
}

static void print_text(const struct rtd_ctl_stat *st, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (seen_before(st, i, same_line))
			continue;
		printf("%s", st[i].group);
		if (st[i].owner[0])
			printf(" %s", st[i].owner);
		if (st[i].queue >= 0)
			printf(" queue %d", st[i].queue);
		putchar(':');
		for (unsigned k = i; k < n; k++)
			if (same_line(&st[k], &st[i]))
				printf(" %s %llu", st[k].name, (unsigned long long)st[k].value);
		putchar('\n');
	}
}

static void json_section(const struct rtd_ctl_stat *st, unsigned n, unsigned i, const char *key)
{
	bool per_queue = false;

	for (unsigned k = i; k < n; k++)
		if (same_section(&st[k], &st[i]) && st[k].queue >= 0)
			per_queue = true;
	if (!per_queue) {
		json_obj_open(key);
		for (unsigned k = i; k < n; k++)
			if (same_section(&st[k], &st[i]))
				json_u64(st[k].name, st[k].value);
		json_obj_close();
		return;
	}
	json_arr_open(key);
	for (unsigned j = i; j < n; j++) {
		bool first_of_queue = same_section(&st[j], &st[i]);

		for (unsigned k = i; k < j && first_of_queue; k++)
			if (same_section(&st[k], &st[i]) && st[k].queue == st[j].queue)
				first_of_queue = false;
		if (!first_of_queue)
			continue;
		json_obj_open(NULL);
		json_i64("queue", st[j].queue);
		for (unsigned k = j; k < n; k++)
			if (same_section(&st[k], &st[i]) && st[k].queue == st[j].queue)
				json_u64(st[k].name, st[k].value);
		json_obj_close();
	}
	json_arr_close();
}

static void print_json(const struct rtd_ctl_stat *st, unsigned n, bool pretty)
{
	bool apps = false;

	json_begin(pretty);
	for (unsigned i = 0; i < n; i++) {
		if (is_app(&st[i]))
			apps = true;
		else if (!seen_before(st, i, same_section))
			json_section(st, n, i, st[i].group);
	}
	if (apps) {
		json_obj_open("apps");
		for (unsigned i = 0; i < n; i++)
			if (is_app(&st[i]) && !seen_before(st, i, same_section))
				json_section(st, n, i, st[i].owner);
		json_obj_close();
	}
	json_end();
}

enum { STATS_SHOW, STATS_RESET_LAT };

static const struct verb verbs[] = {
	{ "show", STATS_SHOW },
	{ "list", STATS_SHOW },
	{ "reset-latency", STATS_RESET_LAT },
};

int do_stats(struct rtctl *c, int argc, char **argv)
{
	const struct rtd_ctl_rep *rep;
	int verb = argc ? LOOKUP("stats: ", argv[0], verbs) : STATS_SHOW;
	int err;

	if (verb < 0)
		return EXIT_USAGE;
	if (argc > 1) {
		fprintf(stderr, "rtctl: stats: '%s' is unexpected\n", argv[1]);
		return EXIT_USAGE;
	}
	if (verb == STATS_RESET_LAT)
		return client_do(c, RTD_CTL_LAT_RESET, NULL, "stats reset-latency", &rep);
	err = client_do(c, RTD_CTL_STATS, NULL, "stats", &rep);
	if (err)
		return err;
	if (c->json)
		print_json((const struct rtd_ctl_stat *)(rep + 1), rep->count, c->pretty);
	else
		print_text((const struct rtd_ctl_stat *)(rep + 1), rep->count);
	return 0;
}
