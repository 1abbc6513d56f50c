// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The Internet checksum (RFC 1071): one's-complement sum of 16-bit words. */
#include <string.h>

#include "rtd/proto.h"

/*
 * 32-bit big-endian loads into a 64-bit accumulator: a carry-free inner
 * loop, folded once at the end.  Byte order is handled by summing in
 * network order throughout (RFC 1071 byte-order independence).
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;

	while (len >= 8) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		acc += __builtin_bswap32(a);
		acc += __builtin_bswap32(b);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t a;

		memcpy(&a, p, 4);
		acc += __builtin_bswap32(a);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		acc += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)p[0] << 8;
	/* Fold 64 -> 32 bits, keeping the end-around carries. */
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t csum_pseudo(int family, const struct in6_addr *src, const struct in6_addr *dst,
		     uint8_t proto, uint32_t len)
{
	uint32_t sum;

	if (family == AF_INET) {
		sum = csum_partial(&src->s6_addr[12], 4, 0);
		sum = csum_partial(&dst->s6_addr[12], 4, sum);
	} else {
		sum = csum_partial(src->s6_addr, 16, 0);
		sum = csum_partial(dst->s6_addr, 16, sum);
	}
	/* Adding halves separately cannot overflow 32 bits here. */
	return sum + proto + (len >> 16) + (len & 0xffff);
}
