/*
 * Allocation-failure testing: an allocator that fails its Nth allocation and
 * counts live blocks, and a loop that runs a scenario for N = 1, 2, ... until
 * it no longer hits the failure, checking each time for a clean error and no
 * leak.
 */
#ifndef CORREU_TEST_FAILALLOC_H
#define CORREU_TEST_FAILALLOC_H

#include "correu/common.h"

typedef struct failalloc {
	correu_allocator table;
	long fail_at;     /* 1-based allocation to fail; 0 = never */
	long count;       /* allocations (and growing reallocs) attempted */
	long live_blocks; /* blocks not yet freed */
	size_t live_bytes;
	int failed;       /* the planned failure happened */
} failalloc;

void failalloc_init(failalloc *f, long fail_at);

/*
 * The scenario: use `a` for every handle, free everything before returning,
 * return 0 on success or the negative code the library gave.
 */
typedef int (*failalloc_scenario)(void *ctx, const correu_allocator *a);

/*
 * Run the scenario with the Nth allocation failing for N = 1.. until a run
 * completes without reaching N (at most max_n runs). Asserts that a run that
 * hit the failure returned a negative code (the scenario decides which codes
 * it accepts), and that every run freed all it allocated. Returns how many
 * allocations a clean run makes.
 */
long failalloc_loop(failalloc_scenario fn, void *ctx, long max_n);

#endif
