/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --redis [PASSWORD@]HOST:PORT[/DB], as rtpengine's --redis: where the
 * relay keeps its calls for a standby to take over (redis.h).  Pure: the
 * settings table and the fuzz target parse it.
 */
#ifndef RELAY_REDIS_CONF_H
#define RELAY_REDIS_CONF_H

#include <stdint.h>

#define REDIS_HOST_MAX 256
#define REDIS_PASSWORD_MAX 128
/* A password from the environment when the address has none: see redis.c. */
#define REDIS_PASSWORD_ENV "RTD_REDIS_PASSWORD"

struct relay_redis {
	char host[REDIS_HOST_MAX]; /* "" when --redis is not set; an IPv6 one without [] */
	char password[REDIS_PASSWORD_MAX];
	uint16_t port;
	uint16_t db;
};

/* The setting's parse(): 0, or -EINVAL with the reason naming the culprit in err. */
int redis_conf_parse(void *field, const char *val, char *err, size_t errlen);
/* "HOST:PORT/DB", "[V6]:PORT/DB": for logs, never with the password. */
const char *redis_conf_str(const struct relay_redis *r, char *buf, size_t len);

#endif
