// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>

#include "apps/relay/conf.h"

#define F(f) .off = offsetof(struct relay_conf, f), .size = sizeof(((struct relay_conf *)0)->f)

static const struct setting rows[] = {
	{ .name = "ng-listen", .type = SETTING_STR, F(ng_listen), .what = "ng address",
	  .dflt = "127.0.0.1:2223,[::1]:2223", .arg = "LIST",
	  .help = "ng control addresses, comma-separated" },
	{ .name = "ng-allow", .type = SETTING_FUNC, F(ng_allow), .parse = allow_parse,
	  .dflt = "127.0.0.0/8,::1/128", .arg = "PREFIXES", .help = "who may send commands" },
	{ .name = "media-timeout", .type = SETTING_UINT, F(media_timeout), .lo = 1, .hi = 86400,
	  .dflt = "60", .arg = "S", .help = "end calls silent for S seconds" },
};

const struct setting_table relay_settings = SETTING_TABLE("Media relay (--app relay)", rows);
