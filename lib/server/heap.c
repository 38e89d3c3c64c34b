/*
 * A binary min-heap of deadlines (server runtime, driver layer): each
 * connection has at most one entry, its earliest deadline (idle, command,
 * handshake or linger), and remembers where the entry sits so that moving
 * or removing it costs O(log n). Its storage is taken once, sized for the
 * connection limit.
 */
#include "server_int.h"

#define OUT UINT32_MAX

int correu__heap_init(correu__heap *h, const correu_allocator *a, uint32_t cap)
{
	h->alloc = a;
	h->len = 0;
	h->cap = cap;
	h->v = correu__alloc(a, (size_t)cap * sizeof(*h->v));
	return h->v ? 0 : CORREU_ERR_NOMEM;
}

void correu__heap_deinit(correu__heap *h)
{
	correu__free(h->alloc, h->v, (size_t)h->cap * sizeof(*h->v));
	h->v = NULL;
}

static void place(correu__heap *h, uint32_t i, correu__heapent e)
{
	h->v[i] = e;
	*e.slot = i;
}

static void sift_up(correu__heap *h, uint32_t i)
{
	correu__heapent e = h->v[i];

	while (i > 0 && h->v[(i - 1) / 2].when > e.when) {
		place(h, i, h->v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(h, i, e);
}

static void sift_down(correu__heap *h, uint32_t i)
{
	correu__heapent e = h->v[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= h->len)
			break;
		if (c + 1 < h->len && h->v[c + 1].when < h->v[c].when)
			c++;
		if (h->v[c].when >= e.when)
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, e);
}

void correu__heap_set(correu__heap *h, void *item, uint32_t *slot, uint64_t when)
{
	uint32_t i = *slot;

	if (i == OUT) {
		if (when == UINT64_MAX || h->len == h->cap)
			return;
		i = h->len++;
		place(h, i, (correu__heapent){ when, item, slot });
		sift_up(h, i);
		return;
	}
	if (when == UINT64_MAX) {
		/* Fill the hole with the last entry and restore the order. */
		*slot = OUT;
		if (i != --h->len) {
			place(h, i, h->v[h->len]);
			sift_down(h, i);
			sift_up(h, i);
		}
		return;
	}
	h->v[i].when = when;
	sift_down(h, i);
	sift_up(h, *slot);
}

const correu__heapent *correu__heap_top(const correu__heap *h)
{
	return h->len ? &h->v[0] : NULL;
}
