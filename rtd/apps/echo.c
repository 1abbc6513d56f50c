// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * echo: a UDP reflector.  Each datagram goes back to its sender from the
 * address and port it was sent to, in the frame it arrived in: no copy.
 */
#include <errno.h>

#include <rtd/app.h>

enum { ECHO_REPLIED, ECHO_FAILED };

static int echo_init(struct rtd_app *app)
{
	app->ncounters = 2;
	app->counters[ECHO_REPLIED].name = "replied";
	app->counters[ECHO_FAILED].name = "failed";
	return 0;
}

static void echo_rx(struct rtd_app *app, struct rtd_io *io, struct rtd_pkt *pkt)
{
	struct rtd_flow back = { .src = pkt->flow.dst, .dst = pkt->flow.src };
	int err;

	/* A reply counts when it leaves: a frame held for the kernel's ARP
	 * and then expired was never one. */
	pkt->sent[0] = &app->counters[ECHO_REPLIED].value;
	err = rtd_forward(io, pkt, &back);
	/* -EAGAIN: held until the kernel resolves the neighbour. */
	if (err && err != -EAGAIN)
		rtd_app_counter_add(app, ECHO_FAILED, 1);
}

const struct rtd_app_ops rtd_app_echo = {
	.name = "echo",
	.init = echo_init,
	.rx = echo_rx,
};
