/*
 * Split feeding for parser tests: a parser must give the same result for its
 * input whole, one byte at a time, and cut in two at every offset.
 */
#ifndef CORREU_TEST_SPLIT_H
#define CORREU_TEST_SPLIT_H

#include <stddef.h>
#include <stdint.h>

struct split_out {
	char *text;
	size_t len;
	size_t cap;
};

/* How a test drives its parser. `out` collects a canonical text of what the
 * parser reported (events, tokens, errors); results are compared as text. */
struct split_ops {
	/* Start a fresh parse. */
	void (*reset)(void *ctx);
	/* Feed one chunk; append what happened to out (see split_out_printf).
	 * Return < 0 to stop feeding (a fatal error that was recorded). */
	int (*feed)(void *ctx, const uint8_t *p, size_t n, struct split_out *out);
	/* The input has ended; record anything pending. May be NULL. */
	void (*finish)(void *ctx, struct split_out *out);
};

void split_out_printf(struct split_out *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append bytes, escaping CR, LF and non-printables as \r, \n, \xNN. */
void split_out_bytes(struct split_out *out, const uint8_t *p, size_t n);

/*
 * Run the parser over every split of `in` and assert (Criterion) that each
 * gives the same text. Returns the text of the whole-input run, owned by the
 * caller (free()).
 */
char *split_check(const struct split_ops *ops, void *ctx, const uint8_t *in, size_t len);

#endif
