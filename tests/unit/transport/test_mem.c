/* The in-memory pair: bounded buffers, chunk limits, EOF and close from either side. */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/transport.h"
#include "failalloc.h"

static correu_transport *a, *b;

static void pair(size_t capacity, size_t chunk)
{
	cr_assert_eq(correu_mem_pair_new(capacity, chunk, NULL, &a, &b), 0);
}

static void unpair(void)
{
	correu_transport_free(a);
	correu_transport_free(b);
	a = b = NULL;
}

TestSuite(mem, .fini = unpair);

Test(mem, bytes_cross_both_ways)
{
	uint8_t buf[16];

	pair(64, 0);
	cr_assert_eq(correu_transport_send(a, (const uint8_t *)"hello", 5), 5);
	cr_assert_eq(correu_transport_send(b, (const uint8_t *)"world!", 6), 6);
	cr_assert_eq(correu_transport_recv(b, buf, sizeof(buf)), 5);
	cr_assert_arr_eq(buf, "hello", 5);
	cr_assert_eq(correu_transport_recv(a, buf, sizeof(buf)), 6);
	cr_assert_arr_eq(buf, "world!", 6);
	cr_assert_eq(correu_transport_recv(a, buf, sizeof(buf)), CORREU_ERR_WANT_READ);
	cr_assert_eq(correu_transport_fd(a), -1);
}

Test(mem, full_buffer_wants_write_at_capacity_not_before)
{
	uint8_t buf[8] = "abcdefgh";

	pair(8, 0);
	cr_assert_eq(correu_transport_send(a, buf, 7), 7);
	/* Room for exactly one more byte: limit reached, then limit + 1 refused. */
	cr_assert_eq(correu_transport_send(a, buf, 8), 1);
	cr_assert_eq(correu_transport_send(a, buf, 1), CORREU_ERR_WANT_WRITE);
	cr_assert_eq(correu_transport_wait(a, CORREU_WAIT_WRITE, 0), CORREU_ERR_TIMEOUT);
	cr_assert_eq(correu_transport_recv(b, buf, 3), 3);
	cr_assert_eq(correu_transport_wait(a, CORREU_WAIT_WRITE, 0), CORREU_WAIT_WRITE);
	cr_assert_eq(correu_transport_send(a, (const uint8_t *)"XYZW", 4), 3);
}

Test(mem, ring_wraps_around_without_corruption)
{
	uint8_t out[7], in[7];

	pair(10, 0);
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < sizeof(out); i++)
			out[i] = (uint8_t)(round * 7 + (int)i);
		cr_assert_eq(correu_transport_send(a, out, sizeof(out)), 7);
		cr_assert_eq(correu_transport_recv(b, in, sizeof(in)), 7);
		cr_assert_arr_eq(in, out, sizeof(out));
	}
}

Test(mem, chunk_limit_forces_partial_reads_and_writes)
{
	uint8_t buf[16];

	pair(64, 3);
	cr_assert_eq(correu_transport_send(a, (const uint8_t *)"abcdefg", 7), 3);
	cr_assert_eq(correu_transport_send(a, (const uint8_t *)"defg", 4), 3);
	cr_assert_eq(correu_transport_recv(b, buf, 2), 2);
	cr_assert_eq(correu_transport_recv(b, buf + 2, sizeof(buf)), 3);
	cr_assert_arr_eq(buf, "abcde", 5);
}

Test(mem, shutdown_gives_eof_after_the_buffered_bytes)
{
	uint8_t buf[8];

	pair(64, 0);
	cr_assert_eq(correu_transport_send(a, (const uint8_t *)"bye", 3), 3);
	cr_assert_eq(correu_transport_shutdown(a), 0);
	cr_assert_eq(correu_transport_send(a, (const uint8_t *)"x", 1), CORREU_ERR_CLOSED);
	cr_assert_eq(correu_transport_wait(b, CORREU_WAIT_READ, 0), CORREU_WAIT_READ);
	cr_assert_eq(correu_transport_recv(b, buf, sizeof(buf)), 3);
	cr_assert_eq(correu_transport_recv(b, buf, sizeof(buf)), CORREU_ERR_EOF);
	/* The other direction still works: a half close. */
	cr_assert_eq(correu_transport_send(b, (const uint8_t *)"ok", 2), 2);
	cr_assert_eq(correu_transport_recv(a, buf, sizeof(buf)), 2);
}

Test(mem, freeing_either_side_closes_the_other)
{
	uint8_t buf[8];

	for (int side = 0; side < 2; side++) {
		correu_transport *gone, *left;

		pair(64, 0);
		gone = side ? b : a;
		left = side ? a : b;
		cr_assert_eq(correu_transport_send(gone, (const uint8_t *)"z", 1), 1);
		correu_transport_free(gone);
		if (side)
			b = NULL;
		else
			a = NULL;
		cr_assert_eq(correu_transport_recv(left, buf, sizeof(buf)), 1);
		cr_assert_eq(correu_transport_recv(left, buf, sizeof(buf)), CORREU_ERR_EOF);
		cr_assert_eq(correu_transport_send(left, buf, 1), CORREU_ERR_CLOSED);
		unpair();
	}
}

Test(mem, bad_arguments)
{
	correu_transport *x = (correu_transport *)&x, *y = (correu_transport *)&y;
	uint8_t buf[4];

	cr_assert_eq(correu_mem_pair_new(0, 0, NULL, &x, &y), CORREU_ERR_ARG);
	cr_assert_null(x);
	cr_assert_null(y);
	cr_assert_eq(correu_mem_pair_new(SIZE_MAX, 0, NULL, &x, &y), CORREU_ERR_LIMIT);
	cr_assert_eq(correu_mem_pair_new(8, 0, NULL, NULL, &y), CORREU_ERR_ARG);
	pair(8, 0);
	cr_assert_eq(correu_transport_send(a, NULL, 1), CORREU_ERR_ARG);
	cr_assert_eq(correu_transport_send(a, buf, 0), 0);
	cr_assert_eq(correu_transport_recv(a, buf, 0), 0);
	cr_assert_eq(correu_transport_recv(NULL, buf, 1), CORREU_ERR_ARG);
	cr_assert_eq(correu_transport_wait(a, 0, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_transport_wait(a, CORREU_WAIT_READ, -2), CORREU_ERR_ARG);
}

static int make_pair(void *ctx, const correu_allocator *al)
{
	correu_transport *x, *y;
	uint8_t buf[4];
	int rc;

	(void)ctx;
	rc = correu_mem_pair_new(16, 0, al, &x, &y);
	if (rc < 0) {
		cr_assert_eq(rc, CORREU_ERR_NOMEM);
		cr_assert_null(x);
		cr_assert_null(y);
		return rc;
	}
	cr_assert_eq(correu_transport_send(x, (const uint8_t *)"ab", 2), 2);
	cr_assert_eq(correu_transport_recv(y, buf, sizeof(buf)), 2);
	correu_transport_free(y);
	correu_transport_free(x);
	return 0;
}

Test(mem, allocation_failures_are_clean)
{
	cr_assert_eq(failalloc_loop(make_pair, NULL, 20), 4);
}
