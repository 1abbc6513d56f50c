// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The relay as an rtd application: set up and torn down off the RT path. */
#include <errno.h>
#include <stdlib.h>

#include <rtd/ctl.h>

#include "apps/relay/agent.h"
#include "apps/relay/ng.h"

static int relay_init(struct rtd_app *app)
{
	static const char *const names[RELAY_NCOUNTERS] = {
#define X(id, name) [RELAY_##id] = name,
		RELAY_COUNTERS(X)
#undef X
	};
	struct relay *r;
	int err;

	if (!app->env)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	err = ring_init(&r->cmds, 4096, sizeof(struct rcmd));
	if (err)
		goto err_free;
	/* Four contexts per stream at most in flight: every stream's, at once. */
	err = ring_init(&r->gc, 4 * RELAY_MAX_STREAMS, sizeof(struct rsrtp_ctx *));
	if (err)
		goto err_cmds;
	r->app = app;
	app->priv = r;
	app->ncounters = RELAY_NCOUNTERS;
	for (unsigned i = 0; i < RELAY_NCOUNTERS; i++)
		app->counters[i].name = names[i];
	err = agent_start(r);
	if (err)
		goto err_ring;
	err = ng_start(r, app->env);
	if (err)
		goto err_agent;
	return 0;

err_agent:
	agent_stop(r);
err_ring:
	ring_free(&r->gc);
err_cmds:
	ring_free(&r->cmds);
err_free:
	free(r);
	app->priv = NULL;
	return err;
}

static void relay_fini(struct rtd_app *app)
{
	struct relay *r = app->priv;

	if (!r)
		return;
	ng_stop(r);
	agent_stop(r);
	/* The RT thread is gone: the contexts its streams held are ours. */
	for (unsigned i = 0; i < RELAY_MAX_STREAMS; i++) {
		struct rsrtp_ctx *c[2] = { r->streams[i].rx, r->streams[i].tx };

		for (int k = 0; k < 2; k++) {
			if (c[k])
				rsrtp_fini(c[k]);
			free(c[k]);
		}
	}
	ring_free(&r->gc);
	ring_free(&r->cmds);
	free(r);
	app->priv = NULL;
}

static int relay_calls(struct rtd_app *app, struct rtd_ctl_call *out, unsigned max)
{
	return ng_calls(app->priv, out, max);
}

const struct rtd_app_ops rtd_app_relay = {
	.calls = relay_calls,
	.name = "relay",
	.init = relay_init,
	.rx = relay_rx,
	.poll = relay_poll,
	.fini = relay_fini,
};
