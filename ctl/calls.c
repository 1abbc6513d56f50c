// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdio.h>

#include "ctl/rtctl.h"

static const char *peer_str(const struct rtd_ctl_call *c, char *buf)
{
	if (!c->family)
		return "-";
	return inet_ntop(c->family, c->family == AF_INET ? (const void *)&c->peer.s6_addr[12]
							 : (const void *)&c->peer,
			 buf, INET6_ADDRSTRLEN);
}

static const struct verb verbs[] = { { "show", 0 }, { "list", 0 } };

int do_calls(struct rtctl *c, int argc, char **argv)
{
	const struct rtd_ctl_rep *rep;
	const struct rtd_ctl_call *v;
	char a[INET6_ADDRSTRLEN];
	int err;

	if (argc && LOOKUP("calls: ", argv[0], verbs) < 0)
		return EXIT_USAGE;
	err = client_do(c, RTD_CTL_CALLS, NULL, "calls", &rep);
	if (err)
		return err;
	v = (const struct rtd_ctl_call *)(rep + 1);
	if (c->json) {
		json_begin(c->pretty);
		json_arr_open("legs");
		for (unsigned i = 0; i < rep->count; i++) {
			json_obj_open(NULL);
			json_str("call_id", v[i].call_id);
			json_str("tag", v[i].tag);
			json_str("leg", v[i].leg ? "answerer" : "offerer");
			json_u64("media", v[i].media);
			json_u64("local_port", v[i].local_port);
			json_str("peer", peer_str(&v[i], a));
			json_u64("peer_port", v[i].peer_port);
			json_u64("latched", v[i].latched);
			json_u64("age_s", v[i].age_s);
			json_u64("packets", v[i].packets);
			json_u64("bytes", v[i].bytes);
			json_u64("forwarded", v[i].forwarded);
			json_u64("lost", v[i].lost);
			json_u64("jitter_us", v[i].jitter_us);
			json_i64("last_ms", v[i].last_ms);
			json_obj_close();
		}
		json_arr_close();
		json_end();
		return 0;
	}
	for (unsigned i = 0; i < rep->count; i++)
		printf("%s %s media %u port %u peer %s:%u%s packets %llu bytes %llu lost %u "
		       "jitter %uus last %dms age %us\n",
		       v[i].call_id, v[i].leg ? "answerer" : "offerer", v[i].media, v[i].local_port,
		       peer_str(&v[i], a), v[i].peer_port, v[i].latched ? " latched" : "",
		       (unsigned long long)v[i].packets, (unsigned long long)v[i].bytes, v[i].lost,
		       v[i].jitter_us, v[i].last_ms, v[i].age_s);
	return 0;
}
