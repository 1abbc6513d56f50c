// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/rtctl.h"

static void show(const struct rtctl *c, const struct rtd_ctl_sched *s)
{
	if (c->json) {
		json_begin(c->pretty);
		json_str("mode", s->mode);
		json_str("qdisc", s->qdisc);
		json_u64("installed", s->installed);
		json_u64("closed", s->closed);
		json_u64("period_us", s->period_ns / 1000);
		json_u64("phase_us", s->phase_ns / 1000);
		json_u64("guard_us", s->guard_ns / 1000);
		json_u64("window_us", s->window_ns / 1000);
		json_u64("hold_us", s->hold_ns / 1000);
		json_u64("link_mbit", s->link_bps / 1000000);
		json_u64("reserve_mbit", s->reserve_bps / 1000000);
		json_u64("bql_bytes", s->bql_bytes);
		json_u64("closes", s->closes);
		json_u64("closed_us", s->closed_ns / 1000);
		json_u64("held_bytes", s->held_bytes);
		json_u64("held_packets", s->held_pkts);
		json_u64("drops", s->drops);
		json_u64("toggles", s->toggles);
		json_u64("toggle_avg_ns", s->toggle_ns_avg);
		json_u64("toggle_max_ns", s->toggle_ns_max);
		json_u64("errors", s->errors);
		json_end();
		return;
	}
	printf("gate %s", s->mode);
	if (s->installed)
		printf(" (%s root qdisc%s)", s->qdisc,
		       !strcmp(s->qdisc, "bpf") ? ", closed per frame" : "");
	printf("%s\n", s->closed ? " closed" : "");
	printf("    period %lluus guard %lluus window %lluus hold %lluus\n",
	       (unsigned long long)s->period_ns / 1000, (unsigned long long)s->guard_ns / 1000,
	       (unsigned long long)s->window_ns / 1000, (unsigned long long)s->hold_ns / 1000);
	printf("    link %llumbit reserve %llumbit bql %u\n",
	       (unsigned long long)s->link_bps / 1000000, (unsigned long long)s->reserve_bps / 1000000,
	       s->bql_bytes);
	printf("    closes %llu closed %lluus held %llu bytes", (unsigned long long)s->closes,
	       (unsigned long long)s->closed_ns / 1000, (unsigned long long)s->held_bytes);
	if (!strcmp(s->qdisc, "bpf"))
		printf(" %llu packets drops %llu toggles %llu (a store each) errors %llu\n",
		       (unsigned long long)s->held_pkts, (unsigned long long)s->drops,
		       (unsigned long long)s->toggles, (unsigned long long)s->errors);
	else
		printf(" toggles %llu (avg %lluns max %lluns) errors %llu\n",
		       (unsigned long long)s->toggles, (unsigned long long)s->toggle_ns_avg,
		       (unsigned long long)s->toggle_ns_max, (unsigned long long)s->errors);
}

static int number(const char *key, const char *val, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(val, &end, 10);
	if (errno || !*val || *end || val[0] == '-') {
		fprintf(stderr, "rtctl: sched set: %s: '%s' is not a number\n", key, val);
		return -EINVAL;
	}
	return 0;
}

enum { SCHED_SHOW, SCHED_SET };

static const struct verb verbs[] = { { "show", SCHED_SHOW }, { "list", SCHED_SHOW },
				     { "set", SCHED_SET } };

int do_sched(struct rtctl *c, int argc, char **argv)
{
	/* struct rtd_ctl_req holds a port set: 8 KiB, kept off the stack. */
	static struct rtd_ctl_req req;
	const struct rtd_ctl_rep *rep;
	struct rtd_ctl_sched s;
	int verb = argc ? LOOKUP("sched: ", argv[0], verbs) : SCHED_SHOW;
	int err;

	if (verb < 0)
		return EXIT_USAGE;
	if (verb == SCHED_SHOW && argc > 1) {
		fprintf(stderr, "rtctl: sched show: '%s' is unexpected\n", argv[1]);
		return EXIT_USAGE;
	}
	/* set changes only what it names: start from what rtd has. */
	err = client_do(c, RTD_CTL_SCHED_GET, NULL, "sched", &rep);
	if (err)
		return err;
	s = *(const struct rtd_ctl_sched *)(rep + 1);
	if (verb == SCHED_SHOW) {
		show(c, &s);
		return 0;
	}
	for (int i = 1; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned long long n = 0;

		if (!v) {
			fprintf(stderr, "rtctl: sched set: '%s' needs a value\n", k);
			return EXIT_USAGE;
		}
		if (!strcmp(k, "mode")) {
			if (strcmp(v, "off") && strcmp(v, "reactive") && strcmp(v, "scheduled")) {
				fprintf(stderr,
					"rtctl: sched set: mode '%s' is not one of off, reactive, scheduled\n",
					v);
				return EXIT_USAGE;
			}
			snprintf(s.mode, sizeof(s.mode), "%s", v);
			continue;
		}
		if (number(k, v, &n))
			return EXIT_USAGE;
		if (!strcmp(k, "period"))
			s.period_ns = n * 1000;
		else if (!strcmp(k, "phase"))
			s.phase_ns = n * 1000;
		else if (!strcmp(k, "guard"))
			s.guard_ns = n * 1000;
		else if (!strcmp(k, "window"))
			s.window_ns = n * 1000;
		else if (!strcmp(k, "hold"))
			s.hold_ns = n * 1000;
		else if (!strcmp(k, "link"))
			s.link_bps = n * 1000000;
		else if (!strcmp(k, "reserve"))
			s.reserve_bps = n * 1000000;
		else if (!strcmp(k, "bql"))
			s.bql_bytes = n;
		else {
			fprintf(stderr, "rtctl: sched set: '%s' is unknown (mode, period, phase, guard, "
					"window, hold, link, reserve, bql)\n",
				k);
			return EXIT_USAGE;
		}
	}
	memset(&req, 0, sizeof(req));
	req.version = RTD_CTL_VERSION;
	req.cmd = RTD_CTL_SCHED_SET;
	req.sched = s;
	err = client_call(c, &req, "sched set", &rep);
	if (err)
		return err;
	show(c, (const struct rtd_ctl_sched *)(rep + 1));
	return 0;
}
