/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The relay's own settings (--app relay), and their table. */
#ifndef RELAY_CONF_H
#define RELAY_CONF_H

#include "apps/relay/allow.h"
#include "lib/settings.h"

struct relay_conf {
	char ng_listen[64];     /* ng control addresses, comma-separated */
	struct allow ng_allow;  /* command sources allowed */
	unsigned media_timeout; /* seconds of silence that end a call */
};

extern const struct setting_table relay_settings;

#endif
