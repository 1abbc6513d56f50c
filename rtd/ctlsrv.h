/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Control-socket server (include/rtd/ctl.h protocol).  Runs on the non-RT
 * thread; the daemon supplies the answers through ctlsrv_ops.
 */
#ifndef RTD_CTLSRV_H
#define RTD_CTLSRV_H

#include <stdbool.h>
#include <stddef.h>

#include <rtd/ctl.h>

struct ctlsrv_ops {
	int (*status)(void *ctx, struct rtd_ctl_status *st);
	int (*port_list)(void *ctx, struct portset *out);
	/* Returns 0 or -errno with a one-line reason in err. */
	int (*port_change)(void *ctx, const struct portset *ports, bool add, char *err,
			   size_t errlen);
	/* Fill up to max records; return the number written or -errno. */
	int (*stats)(void *ctx, struct rtd_ctl_stat *out, unsigned max);
	int (*neigh)(void *ctx, struct rtd_ctl_neigh *out, unsigned max);
	int (*sched_get)(void *ctx, struct rtd_ctl_sched *out);
	int (*sched_set)(void *ctx, const struct rtd_ctl_sched *in, char *err, size_t errlen);
	int (*lat_reset)(void *ctx);
	int (*calls)(void *ctx, struct rtd_ctl_call *out, unsigned max);
};

struct ctlsrv {
	int fd;
	char path[108];
	const struct ctlsrv_ops *ops;
	void *ctx;
	void *buf; /* reply buffer, RTD_CTL_MAX_MSG bytes */
};

/*
 * Create the listening socket at path (replacing a stale one left by a
 * crash, refusing if another rtd answers there), mode 0660, group "rtd"
 * when that group exists.
 */
int ctlsrv_open(struct ctlsrv *s, const char *path, const struct ctlsrv_ops *ops,
		void *ctx);
static inline int ctlsrv_fd(const struct ctlsrv *s) { return s->fd; }
/* Accept and serve every pending connection; never blocks on a client. */
int ctlsrv_process(struct ctlsrv *s);
void ctlsrv_close(struct ctlsrv *s);

#endif
