/* Bounded byte buffers, secret wiping and the allocator indirection. */
#include <criterion/criterion.h>
#include <string.h>

#include "failalloc.h"
#include "internal.h"

Test(buf, appends_grow_up_to_the_limit_and_not_past_it)
{
	correu__buf b;

	correu__buf_init(&b, NULL, 100);
	for (int i = 0; i < 10; i++)
		cr_assert_eq(correu__buf_append(&b, "0123456789", 10), 0);
	cr_assert_eq(b.len, 100);
	cr_assert_leq(b.cap, 100, "capacity grew past the limit");
	cr_assert_eq(correu__buf_append(&b, "x", 1), CORREU_ERR_LIMIT);
	cr_assert_eq(b.len, 100, "a refused append must not change the buffer");
	correu__buf_consume(&b, 95);
	cr_assert_eq(b.len, 5);
	cr_assert_eq(memcmp(b.data, "56789", 5), 0);
	correu__buf_free(&b, true);
	cr_assert_null(b.data);
}

Test(buf, huge_reserve_is_refused_before_allocating)
{
	correu__buf b;
	failalloc f;

	failalloc_init(&f, 0);
	correu__buf_init(&b, &f.table, SIZE_MAX);
	cr_assert_eq(correu__buf_append(&b, "ab", 2), 0);
	cr_assert_eq(correu__buf_reserve(&b, SIZE_MAX), CORREU_ERR_LIMIT, "overflow not caught");
	correu__buf_free(&b, false);
	cr_assert_eq(f.live_blocks, 0);
}

static int buf_scenario(void *ctx, const correu_allocator *a)
{
	correu__buf b;
	int rc = 0;

	(void)ctx;
	correu__buf_init(&b, a, 1 << 20);
	for (int i = 0; i < 100 && rc == 0; i++)
		rc = correu__buf_append(&b, "some bytes that grow the buffer ", 32);
	if (rc == 0 && b.len != 3200)
		rc = CORREU_ERR_INTERNAL;
	correu__buf_free(&b, false);
	return rc;
}

Test(buf, every_allocation_failure_is_clean)
{
	long n = failalloc_loop(buf_scenario, NULL, 100);

	cr_assert_gt(n, 1, "expected the buffer to grow more than once");
}

Test(wipe, clears_memory)
{
	char secret[16] = "hunter2-hunter2";

	correu_wipe(secret, sizeof(secret));
	for (size_t i = 0; i < sizeof(secret); i++)
		cr_assert_eq(secret[i], 0);
	correu_wipe(NULL, 0);
}

Test(alloc, null_allocator_means_libc)
{
	cr_assert_eq(correu__allocator(NULL), correu_allocator_libc());
	void *p = correu__calloc(NULL, 32);
	cr_assert_not_null(p);
	cr_assert_eq(((unsigned char *)p)[31], 0);
	correu__free(NULL, p, 32);
	correu__free(NULL, NULL, 0);
}
