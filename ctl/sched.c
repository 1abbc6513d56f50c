// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rtctl sched: the egress gate, shown and set through its settings table. */
#include <stdio.h>
#include <string.h>

#include "ctl/rtctl.h"
#include "lib/gate_conf.h"

/* The gate's live settings: JSON keys and text are their names with units. */
static void show_conf(const struct rtctl *c, const struct rtd_gate_conf *conf)
{
	bool first = true;

	for (size_t i = 0; i < gate_settings.n; i++) {
		const struct setting *s = &gate_settings.rows[i];
		char key[32], val[32];

		if (!s->live)
			continue;
		setting_format(s, conf, val, sizeof(val));
		snprintf(key, sizeof(key), "%s%s%s", s->live, s->unit ? "_" : "", s->unit ? s->unit : "");
		if (c->json && s->type == SETTING_WORD)
			json_str(key, val);
		else if (c->json)
			json_u64(key, setting_value(s, conf));
		else if (s->type != SETTING_WORD) {
			printf("%s%s %s%s", first ? "    " : " ", s->live, val, s->unit ? s->unit : "");
			first = false;
		}
	}
}

static void show(const struct rtctl *c, const struct rtd_ctl_sched *s)
{
	bool bpf = !strcmp(s->qdisc, "bpf");

	if (c->json) {
		json_begin(c->pretty);
		show_conf(c, &s->conf);
		json_str("qdisc", s->qdisc);
		json_u64("installed", s->installed);
		json_u64("closed", s->closed);
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
	printf("gate %s", s->conf.mode <= 2 ? gate_mode_words[s->conf.mode] : "?");
	if (s->installed)
		printf(" (%s root qdisc%s)", s->qdisc, bpf ? ", closed per frame" : "");
	printf("%s\n", s->closed ? " closed" : "");
	show_conf(c, &s->conf);
	printf("\n    closes %llu closed %lluus held %llu bytes", (unsigned long long)s->closes,
	       (unsigned long long)s->closed_ns / 1000, (unsigned long long)s->held_bytes);
	if (bpf)
		printf(" %llu packets drops %llu toggles %llu (a store each) errors %llu\n",
		       (unsigned long long)s->held_pkts, (unsigned long long)s->drops,
		       (unsigned long long)s->toggles, (unsigned long long)s->errors);
	else
		printf(" toggles %llu (avg %lluns max %lluns) errors %llu\n",
		       (unsigned long long)s->toggles, (unsigned long long)s->toggle_ns_avg,
		       (unsigned long long)s->toggle_ns_max, (unsigned long long)s->errors);
}

/* "set KEY VALUE...": each key a live setting, checked by the same table as rtd's. */
static int apply(struct rtd_gate_conf *conf, int argc, char **argv)
{
	char err[200], names[200] = "";

	for (size_t i = 0; i < gate_settings.n; i++)
		if (gate_settings.rows[i].live)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? ", " : "", gate_settings.rows[i].live);
	for (int i = 0; i < argc; i += 2) {
		const struct setting *s = settings_find(&gate_settings, argv[i], true);

		if (!s) {
			fprintf(stderr, "rtctl: sched set: '%s' is unknown (%s)\n", argv[i], names);
			return EXIT_USAGE;
		}
		if (i + 1 == argc) {
			fprintf(stderr, "rtctl: sched set: '%s' needs a value\n", argv[i]);
			return EXIT_USAGE;
		}
		if (setting_apply(s, conf, argv[i + 1], err, sizeof(err))) {
			fprintf(stderr, "rtctl: sched set: %s: %s\n", argv[i], err);
			return EXIT_USAGE;
		}
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
	err = apply(&s.conf, argc - 1, argv + 1);
	if (err)
		return err;
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
