/* The fuzz harnesses' shared record and cutting rule (see fuzz_common.h). */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

void fuzz_rec_add(struct fuzz_rec *r, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (n > r->cap - r->len) {
		/* Doubling keeps the cost of a long run linear; the sizes are
		 * those of one fuzz input, far from overflow. */
		size_t cap = (r->len + n) * 2 + 64;
		uint8_t *q = realloc(r->p, cap);

		if (!q)
			abort();
		r->p = q;
		r->cap = cap;
	}
	memcpy(r->p + r->len, p, n);
	r->len += n;
}

int fuzz_rec_put(const uint8_t *p, size_t n, void *userdata)
{
	fuzz_rec_add(userdata, p, n);
	return 0;
}

bool fuzz_rec_same(const struct fuzz_rec *a, const struct fuzz_rec *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

void fuzz_rec_free(struct fuzz_rec *r)
{
	free(r->p);
	memset(r, 0, sizeof(*r));
}

void fuzz_recs_agree(struct fuzz_rec *whole, struct fuzz_rec *cut, struct fuzz_rec *pieces)
{
	if (!fuzz_rec_same(whole, cut) || !fuzz_rec_same(whole, pieces))
		abort(); /* the result depends on how the input was cut */
	fuzz_rec_free(whole);
	fuzz_rec_free(cut);
	fuzz_rec_free(pieces);
}

size_t fuzz_chunk_end(size_t start, size_t n, size_t cut, size_t step)
{
	size_t end = start < cut ? cut : (step ? start + step : n);

	return end > n ? n : end;
}
