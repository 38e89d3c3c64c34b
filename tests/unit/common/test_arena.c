/* The fixed-buffer arena allocator. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "correu/common.h"

static unsigned char mem[8192];

Test(arena, rejects_bad_arguments)
{
	correu_arena *ar;

	cr_assert_eq(correu_arena_init(NULL, 4096, &ar), CORREU_ERR_ARG);
	cr_assert_eq(correu_arena_init(mem, 100, &ar), CORREU_ERR_ARG);
	cr_assert_eq(correu_arena_init(mem, sizeof(mem), NULL), CORREU_ERR_ARG);
	cr_assert_null(correu_arena_allocator(NULL));
}

Test(arena, blocks_are_aligned_distinct_and_inside_the_buffer)
{
	correu_arena *ar;
	const correu_allocator *a;
	unsigned char *p[10];

	cr_assert_eq(correu_arena_init(mem + 3, sizeof(mem) - 3, &ar), 0);
	a = correu_arena_allocator(ar);
	for (int i = 0; i < 10; i++) {
		p[i] = a->alloc(a->user, (size_t)(i * 7 + 1));
		cr_assert_not_null(p[i]);
		cr_assert_eq((uintptr_t)p[i] % sizeof(void *), 0);
		cr_assert(p[i] >= mem && p[i] + i * 7 + 1 <= mem + sizeof(mem));
		memset(p[i], i, (size_t)(i * 7 + 1));
	}
	for (int i = 0; i < 10; i++)
		for (int j = 0; j < i * 7 + 1; j++)
			cr_assert_eq(p[i][j], i, "block %d overwritten", i);
	for (int i = 0; i < 10; i++)
		a->free(a->user, p[i], (size_t)(i * 7 + 1));
	cr_assert_eq(correu_arena_used(ar), 0);
	cr_assert_gt(correu_arena_peak(ar), 0);
}

Test(arena, exhaustion_returns_null_and_free_in_any_order_coalesces)
{
	correu_arena *ar;
	const correu_allocator *a;
	void *p[64];
	int n = 0;

	cr_assert_eq(correu_arena_init(mem, sizeof(mem), &ar), 0);
	a = correu_arena_allocator(ar);
	while (n < 64 && (p[n] = a->alloc(a->user, 200)) != NULL)
		n++;
	cr_assert_lt(n, 64, "8 KiB arena served 64 blocks of 200 bytes");
	cr_assert_null(a->alloc(a->user, 200));
	/* Free odd blocks, then even ones: the whole space must merge again. */
	for (int i = 1; i < n; i += 2)
		a->free(a->user, p[i], 200);
	cr_assert_null(a->alloc(a->user, 1000), "fragments must not serve a large block");
	for (int i = 0; i < n; i += 2)
		a->free(a->user, p[i], 200);
	cr_assert_eq(correu_arena_used(ar), 0);
	void *big = a->alloc(a->user, (size_t)n * 200);
	cr_assert_not_null(big, "freed blocks did not coalesce");
	a->free(a->user, big, (size_t)n * 200);
}

Test(arena, realloc_keeps_contents)
{
	correu_arena *ar;
	const correu_allocator *a;
	char *p;

	cr_assert_eq(correu_arena_init(mem, sizeof(mem), &ar), 0);
	a = correu_arena_allocator(ar);
	p = a->alloc(a->user, 10);
	memcpy(p, "0123456789", 10);
	p = a->realloc(a->user, p, 10, 3000);
	cr_assert_not_null(p);
	cr_assert_eq(memcmp(p, "0123456789", 10), 0);
	cr_assert_null(a->realloc(a->user, p, 3000, 100000), "oversized realloc must fail");
	cr_assert_eq(memcmp(p, "0123456789", 10), 0, "failed realloc must keep the block");
	a->free(a->user, p, 3000);
	cr_assert_eq(correu_arena_used(ar), 0);
}

Test(arena, zero_and_huge_sizes_fail_cleanly)
{
	correu_arena *ar;
	const correu_allocator *a;

	cr_assert_eq(correu_arena_init(mem, sizeof(mem), &ar), 0);
	a = correu_arena_allocator(ar);
	cr_assert_null(a->alloc(a->user, 0));
	cr_assert_null(a->alloc(a->user, SIZE_MAX));
	cr_assert_null(a->alloc(a->user, SIZE_MAX - 3));
	cr_assert_eq(correu_arena_used(ar), 0);
}
