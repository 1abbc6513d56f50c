/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Control-socket server (include/rtd/ctl.h protocol).  Runs on the non-RT
 * thread; the daemon supplies the answers through ctlsrv_ops.
 */
#ifndef RTD_CTLSRV_H
#define RTD_CTLSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Connections at once; more wait in the listen backlog. */
#define CTLSRV_CLIENTS 16
/* A client that has not sent its request by then is dropped. */
#define CTLSRV_CLIENT_NS 1000000000ull

struct ctlsrv_client {
	int fd; /* -1: free */
	uint64_t deadline;
};

struct ctlsrv {
	int fd;      /* listening */
	int ep;      /* epoll over fd and the clients: what the caller polls */
	int lock_fd; /* path.lock: ours while we serve path */
	char path[108];
	const struct ctlsrv_ops *ops;
	void *ctx;
	void *buf; /* reply buffer, RTD_CTL_MAX_MSG bytes */
	struct ctlsrv_client client[CTLSRV_CLIENTS];
	unsigned long dropped; /* clients that sent nothing in time, or too many */
};

/*
 * Create the listening socket at path, mode 0660, group "rtd" when that
 * group exists.  path.lock says whose it is: an rtd that holds it refuses
 * us; a socket file whose lock is free was a dead rtd's and is replaced,
 * even while the dying process still accepts on it.
 */
int ctlsrv_open(struct ctlsrv *s, const char *path, const struct ctlsrv_ops *ops,
		void *ctx);
/* One fd to poll for everything the server waits on. */
static inline int ctlsrv_fd(const struct ctlsrv *s) { return s->ep; }
/*
 * Accept, read and answer what is ready, and drop clients past their
 * deadline; every socket is non-blocking, so a silent or slow client costs
 * the caller's thread (the neighbour mirror's) nothing.
 */
int ctlsrv_process(struct ctlsrv *s);
void ctlsrv_close(struct ctlsrv *s);

#endif
