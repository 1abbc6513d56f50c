/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the stack tests share: three real frames (IPv4, IPv6, 802.1Q tagged)
 * whose checksums an independent implementation computed, and helpers to
 * edit them and parse the result.
 */
#ifndef RTD_TEST_STACK_FRAMES_H
#define RTD_TEST_STACK_FRAMES_H

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/stack.h"

/* 198.18.0.2:40000 -> 198.18.0.1:7000 "hello", padded to 60 bytes; checksums
 * computed by an independent implementation. */
static const uint8_t v4_frame[60] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45,
	0x00, 0x00, 0x21, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x9c, 0x70, 0xc6, 0x12, 0x00, 0x02,
	0xc6, 0x12, 0x00, 0x01, 0x9c, 0x40, 0x1b, 0x58, 0x00, 0x0d, 0x78, 0x41, 0x68, 0x65, 0x6c,
	0x6c, 0x6f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
#define V4_END 47 /* the datagram ends here; the rest is padding */

/* [2001:2::2]:40000 -> [2001:2::1]:7000 "hello". */
static const uint8_t v6_frame[67] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x11, 0x40, 0x20, 0x01, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x20, 0x01, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x9c, 0x40,
	0x1b, 0x58, 0x00, 0x0d, 0xc4, 0x60, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/*
 * 802.1Q VID 100 PCP 5, 10.0.0.1:5004 -> 10.0.0.2:5006, DSCP EF, TTL 63: an
 * RTP header and one odd byte of payload, padded to 64 bytes on the wire.
 */
static const uint8_t tagged_frame[64] = {
	0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0x81, 0x00, 0xa0,
	0x64, 0x08, 0x00, 0x45, 0xb8, 0x00, 0x29, 0xbe, 0xef, 0x40, 0x00, 0x3f, 0x11, 0x68, 0x1a,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x13, 0x8c, 0x13, 0x8e, 0x00, 0x15, 0x51,
	0x68, 0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0, 0xde, 0xad, 0xbe, 0xef, 0x55, 0x00,
	0x00, 0x00, 0x00, 0x00,
};
#define TAGGED_END 59

static struct stack_rx rx;

static inline struct rtd_ep ep(const char *addr, uint16_t port)
{
	struct rtd_ep e = { .port = port };

	if (strchr(addr, ':')) {
		e.family = AF_INET6;
		inet_pton(AF_INET6, addr, &e.addr);
	} else {
		struct in_addr a;

		e.family = AF_INET;
		inet_pton(AF_INET, addr, &a);
		e.addr.s6_addr[10] = e.addr.s6_addr[11] = 0xff;
		memcpy(&e.addr.s6_addr[12], &a, 4);
	}
	return e;
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Parse a copy exactly len bytes long, so ASan sees any read past the end. */
static inline int parse_exact(const uint8_t *f, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, f, len);
	ret = stack_parse(copy, len, &rx);
	free(copy);
	return ret;
}

static inline void fix_ip_csum(uint8_t *ip)
{
	uint16_t c;

	wr16(ip + 10, 0);
	c = csum_fold(csum_partial(ip, (size_t)(ip[0] & 0xf) * 4, 0));
	wr16(ip + 10, c);
}

enum frame_edit { EDIT_SET8, EDIT_FLIP8, EDIT_SET16 };

/*
 * A copy of seed (len bytes) with one edit at off, parsed exactly; with
 * fix_ip, an untagged IPv4 frame's header checksum is made right again
 * after the edit, so that only the edited field is wrong.
 */
static inline int parse_edited(const uint8_t *seed, size_t len, enum frame_edit how, size_t off,
			       uint16_t v, bool fix_ip)
{
	uint8_t f[128];

	assert_true(len <= sizeof(f) && off < len);
	memcpy(f, seed, len);
	if (how == EDIT_SET8)
		f[off] = (uint8_t)v;
	else if (how == EDIT_FLIP8)
		f[off] ^= (uint8_t)v;
	else
		wr16(f + off, v);
	if (fix_ip)
		fix_ip_csum(f + 14);
	return parse_exact(f, len);
}

/* One of the seed frames with its byte at off set to v, its byte at off
 * flipped by the bits in x, or its 16-bit field at off set to v: parsed. */
#define parse_with8(seed, off, v) parse_edited(seed, sizeof(seed), EDIT_SET8, off, v, false)
#define parse_flipped(seed, off, x) parse_edited(seed, sizeof(seed), EDIT_FLIP8, off, x, false)
#define parse_with16(seed, off, v) parse_edited(seed, sizeof(seed), EDIT_SET16, off, v, false)

/* v4_frame with an IPv4 header field set and the header checksum fixed. */
#define parse_v4_ip8(off, v) parse_edited(v4_frame, sizeof(v4_frame), EDIT_SET8, off, v, true)
#define parse_v4_ip16(off, v) parse_edited(v4_frame, sizeof(v4_frame), EDIT_SET16, off, v, true)

#endif
