// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include <rtd/app.h>

extern const struct rtd_app_ops rtd_app_echo;
extern const struct rtd_app_ops rtd_app_relay;

static const struct rtd_app_ops *const apps[] = {
	&rtd_app_echo,
	&rtd_app_relay,
};

const struct rtd_app_ops *rtd_app_find(const char *name)
{
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
		if (!strcmp(apps[i]->name, name))
			return apps[i];
	return NULL;
}

const char *rtd_app_names(void)
{
	return "echo, relay";
}
