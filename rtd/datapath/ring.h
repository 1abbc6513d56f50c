/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Single-producer/single-consumer ring of fixed-size slots between the RT
 * thread and a non-RT thread: no lock, no syscall, no allocation after init.
 * Each side owns one index; acquire/release pairs publish the slot contents.
 */
#ifndef DATAPATH_RING_H
#define DATAPATH_RING_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ring {
	uint32_t head __attribute__((aligned(64))); /* producer */
	uint32_t tail __attribute__((aligned(64))); /* consumer */
	uint32_t mask;
	uint32_t slot_size;
	uint8_t *slots;
};

/* nslots must be a power of two. */
static inline int ring_init(struct ring *r, uint32_t nslots, uint32_t slot_size)
{
	if (!nslots || (nslots & (nslots - 1)))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->slots = calloc(nslots, slot_size);
	if (!r->slots)
		return -ENOMEM;
	r->mask = nslots - 1;
	r->slot_size = slot_size;
	return 0;
}

static inline void ring_free(struct ring *r)
{
	free(r->slots);
	r->slots = NULL;
}

static inline int ring_push(struct ring *r, const void *item)
{
	uint32_t head = r->head;
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	if (head - tail > r->mask)
		return -ENOBUFS;
	memcpy(r->slots + (size_t)(head & r->mask) * r->slot_size, item, r->slot_size);
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

static inline int ring_pop(struct ring *r, void *item)
{
	uint32_t tail = r->tail;
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	if (head == tail)
		return -EAGAIN;
	memcpy(item, r->slots + (size_t)(tail & r->mask) * r->slot_size, r->slot_size);
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return 0;
}

#endif
