/*
 * Growable byte buffers with a hard upper limit (common layer). Growth is
 * geometric but never past the limit, and the limit is checked before any
 * allocation so a peer cannot make us reserve memory it has not sent.
 */
#include <string.h>

#include "internal.h"

void correu__buf_init(correu__buf *b, const correu_allocator *a, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->alloc = a;
}

int correu__buf_reserve(correu__buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (!correu__add(b->len, extra, &need) || need > b->max)
		return CORREU_ERR_LIMIT;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	p = correu__realloc(b->alloc, b->data, b->cap, cap);
	if (!p)
		return CORREU_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int correu__buf_append(correu__buf *b, const void *p, size_t n)
{
	int rc;

	if (!n)
		return 0;
	rc = correu__buf_reserve(b, n);
	if (rc < 0)
		return rc;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void correu__buf_consume(correu__buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void correu__buf_free(correu__buf *b, bool wipe)
{
	if (b->data) {
		if (wipe)
			correu_wipe(b->data, b->cap);
		correu__free(b->alloc, b->data, b->cap);
	}
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
