// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "ctl/rtctl.h"

/*
 * Records arrive flat; people read them by group and queue.  Groups whose
 * records are per queue become a list of per-queue objects in JSON, the
 * others one object; application counters go under "apps" by name.
 */
static bool seen_before(const struct rtd_ctl_stat *st, unsigned i, bool by_queue)
{
	for (unsigned k = 0; k < i; k++)
		if (!strcmp(st[k].group, st[i].group) && !strcmp(st[k].owner, st[i].owner) &&
		    (!by_queue || st[k].queue == st[i].queue))
			return true;
	return false;
}

static void print_text(const struct rtd_ctl_stat *st, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (seen_before(st, i, true))
			continue;
		if (!strcmp(st[i].group, "app"))
			printf("app %s:", st[i].owner);
		else if (st[i].queue >= 0)
			printf("%s queue %d:", st[i].group, st[i].queue);
		else
			printf("%s:", st[i].group);
		for (unsigned k = i; k < n; k++)
			if (!strcmp(st[k].group, st[i].group) && !strcmp(st[k].owner, st[i].owner) &&
			    st[k].queue == st[i].queue)
				printf(" %s %llu", st[k].name, (unsigned long long)st[k].value);
		putchar('\n');
	}
}

static void print_json(const struct rtd_ctl_stat *st, unsigned n, bool pretty)
{
	bool apps_open = false;

	json_begin(pretty);
	for (unsigned i = 0; i < n; i++) {
		bool per_queue = st[i].queue >= 0;

		if (seen_before(st, i, false))
			continue;
		if (!strcmp(st[i].group, "app")) {
			if (!apps_open)
				json_obj_open("apps");
			apps_open = true;
			json_obj_open(st[i].owner);
		} else if (per_queue) {
			json_arr_open(st[i].group);
		} else {
			json_obj_open(st[i].group);
		}
		for (unsigned j = i; j < n; j++) {
			if (strcmp(st[j].group, st[i].group) || strcmp(st[j].owner, st[i].owner))
				continue;
			if (per_queue) {
				bool first_of_queue = true;

				for (unsigned k = i; k < j; k++)
					if (!strcmp(st[k].group, st[j].group) && st[k].queue == st[j].queue)
						first_of_queue = false;
				if (!first_of_queue)
					continue;
				json_obj_open(NULL);
				json_i64("queue", st[j].queue);
				for (unsigned k = j; k < n; k++)
					if (!strcmp(st[k].group, st[j].group) && st[k].queue == st[j].queue)
						json_u64(st[k].name, st[k].value);
				json_obj_close();
			} else {
				json_u64(st[j].name, st[j].value);
			}
		}
		if (per_queue)
			json_arr_close();
		else
			json_obj_close();
	}
	if (apps_open)
		json_obj_close();
	json_end();
}

int do_stats(struct rtctl *c, int argc, char **argv)
{
	const struct rtd_ctl_rep *rep;
	int err;

	if (argc && matches(argv[0], "reset-latency")) {
		err = client_do(c, RTD_CTL_LAT_RESET, NULL, "stats reset-latency", &rep);
		return err;
	}
	if (argc && !matches(argv[0], "show")) {
		fprintf(stderr, "rtctl: stats: '%s' is unknown; try 'rtctl help'\n", argv[0]);
		return EXIT_USAGE;
	}
	err = client_do(c, RTD_CTL_STATS, NULL, "stats", &rep);
	if (err)
		return err;
	if (c->json)
		print_json((const struct rtd_ctl_stat *)(rep + 1), rep->count, c->pretty);
	else
		print_text((const struct rtd_ctl_stat *)(rep + 1), rep->count);
	return 0;
}
