/* Allocation-failure testing (see failalloc.h). */
#include "failalloc.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static void *fa_alloc(void *user, size_t size)
{
	failalloc *f = user;
	void *p;

	if (++f->count == f->fail_at) {
		f->failed = 1;
		return NULL;
	}
	p = malloc(size);
	if (p) {
		f->live_blocks++;
		f->live_bytes += size;
	}
	return p;
}

static void *fa_realloc(void *user, void *p, size_t old, size_t size)
{
	failalloc *f = user;
	void *q;

	if (size > old && ++f->count == f->fail_at) {
		f->failed = 1;
		return NULL;
	}
	q = realloc(p, size);
	if (q)
		f->live_bytes = f->live_bytes - old + size;
	return q;
}

static void fa_free(void *user, void *p, size_t size)
{
	failalloc *f = user;

	f->live_blocks--;
	f->live_bytes -= size;
	free(p);
}

void failalloc_init(failalloc *f, long fail_at)
{
	f->table.version = CORREU_ALLOCATOR_VERSION;
	f->table.user = f;
	f->table.alloc = fa_alloc;
	f->table.realloc = fa_realloc;
	f->table.free = fa_free;
	f->fail_at = fail_at;
	f->count = 0;
	f->live_blocks = 0;
	f->live_bytes = 0;
	f->failed = 0;
}

long failalloc_loop(failalloc_scenario fn, void *ctx, long max_n)
{
	for (long n = 1; n <= max_n; n++) {
		failalloc f;
		int rc;

		failalloc_init(&f, n);
		rc = fn(ctx, &f.table);
		cr_assert_eq(f.live_blocks, 0, "run failing allocation %ld leaked %ld blocks", n,
		             f.live_blocks);
		cr_assert_eq(f.live_bytes, 0, "run failing allocation %ld leaked %zu bytes", n,
		             f.live_bytes);
		if (!f.failed) {
			cr_assert_geq(rc, 0, "clean run (no failure reached) returned %d", rc);
			return f.count;
		}
		cr_assert_lt(rc, 0, "allocation %ld failed but the scenario reported success", n);
	}
	cr_assert_fail("scenario still allocating after %ld runs", max_n);
	return -1;
}
