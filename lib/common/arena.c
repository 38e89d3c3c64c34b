/*
 * The fixed-buffer arena allocator for firmware (common layer). Blocks come
 * from one caller buffer through a first-fit free list kept in address
 * order, so neighbours coalesce on free. Because the allocator table passes
 * every block's size back on free, blocks carry no header of their own.
 */
#include <stdalign.h>
#include <string.h>

#include "internal.h"

struct free_block {
	size_t size; /* bytes, a multiple of ARENA_ALIGN */
	struct free_block *next;
};

#define ARENA_ALIGN \
	(alignof(max_align_t) > sizeof(struct free_block) ? alignof(max_align_t) \
	                                                  : sizeof(struct free_block))

struct correu_arena {
	correu_allocator table;
	struct free_block *free;
	size_t used;
	size_t peak;
};

static size_t round_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static void *arena_alloc(void *user, size_t size)
{
	correu_arena *ar = user;
	struct free_block **pp, *b;

	if (size == 0 || size > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	size = round_up(size);
	for (pp = &ar->free; (b = *pp) != NULL; pp = &b->next) {
		if (b->size < size)
			continue;
		if (b->size == size) {
			*pp = b->next;
		} else {
			struct free_block *rest = (struct free_block *)((uint8_t *)b + size);

			rest->size = b->size - size;
			rest->next = b->next;
			*pp = rest;
		}
		ar->used += size;
		if (ar->used > ar->peak)
			ar->peak = ar->used;
		return b;
	}
	return NULL;
}

static void arena_free(void *user, void *p, size_t size)
{
	correu_arena *ar = user;
	struct free_block *blk = p, *prev = NULL, *next = ar->free;

	size = round_up(size);
	ar->used -= size;
	while (next && (uint8_t *)next < (uint8_t *)blk) {
		prev = next;
		next = next->next;
	}
	blk->size = size;
	blk->next = next;
	if (next && (uint8_t *)blk + size == (uint8_t *)next) {
		blk->size += next->size;
		blk->next = next->next;
	}
	if (prev && (uint8_t *)prev + prev->size == (uint8_t *)blk) {
		prev->size += blk->size;
		prev->next = blk->next;
	} else if (prev) {
		prev->next = blk;
	} else {
		ar->free = blk;
	}
}

static void *arena_realloc(void *user, void *p, size_t old, size_t size)
{
	void *q;

	if (round_up(size) == round_up(old))
		return p;
	q = arena_alloc(user, size);
	if (!q)
		return NULL;
	memcpy(q, p, old < size ? old : size);
	arena_free(user, p, old);
	return q;
}

int correu_arena_init(void *mem, size_t len, correu_arena **arena_out)
{
	uintptr_t start, end;
	correu_arena *ar;
	struct free_block *first;

	if (!mem || !arena_out || len < 256)
		return CORREU_ERR_ARG;
	start = ((uintptr_t)mem + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
	end = ((uintptr_t)mem + len) & ~(uintptr_t)(ARENA_ALIGN - 1);
	if (end <= start || end - start < round_up(sizeof(*ar)) + ARENA_ALIGN)
		return CORREU_ERR_ARG;
	ar = (correu_arena *)start;
	first = (struct free_block *)(start + round_up(sizeof(*ar)));
	first->size = end - (uintptr_t)first;
	first->next = NULL;
	ar->table.version = CORREU_ALLOCATOR_VERSION;
	ar->table.user = ar;
	ar->table.alloc = arena_alloc;
	ar->table.realloc = arena_realloc;
	ar->table.free = arena_free;
	ar->free = first;
	ar->used = 0;
	ar->peak = 0;
	*arena_out = ar;
	return 0;
}

const correu_allocator *correu_arena_allocator(correu_arena *arena)
{
	return arena ? &arena->table : NULL;
}

size_t correu_arena_used(const correu_arena *arena)
{
	return arena ? arena->used : 0;
}

size_t correu_arena_peak(const correu_arena *arena)
{
	return arena ? arena->peak : 0;
}
