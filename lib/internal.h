/*
 * Helpers shared by the library's own files and never exported: allocation
 * through a handle's allocator table, growable byte buffers with a hard
 * limit, overflow-checked arithmetic and the log call. Part of the common
 * layer; everything here is named correu__* and has hidden visibility.
 */
#ifndef CORREU_INTERNAL_H
#define CORREU_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"

#if defined(__GNUC__) || defined(__clang__)
#define CORREU__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CORREU__PRINTF(f, a)
#endif

#define CORREU__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The table to use for a handle: the caller's, or libc's when NULL. */
const correu_allocator *correu__allocator(const correu_allocator *a);
void *correu__alloc(const correu_allocator *a, size_t size);
void *correu__calloc(const correu_allocator *a, size_t size);
void *correu__realloc(const correu_allocator *a, void *p, size_t old, size_t size);
void correu__free(const correu_allocator *a, void *p, size_t size);

/* a + b into *out; false (and *out untouched) on overflow. */
static inline bool correu__add(size_t a, size_t b, size_t *out)
{
	if (a > SIZE_MAX - b)
		return false;
	*out = a + b;
	return true;
}

/*
 * A growable byte buffer that never holds more than `max` bytes. The check
 * is made before memory is touched, without overflow.
 */
typedef struct correu__buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	const correu_allocator *alloc;
} correu__buf;

void correu__buf_init(correu__buf *b, const correu_allocator *a, size_t max);
/* Room for `extra` more bytes: 0, CORREU_ERR_LIMIT or CORREU_ERR_NOMEM. */
int correu__buf_reserve(correu__buf *b, size_t extra);
int correu__buf_append(correu__buf *b, const void *p, size_t n);
/* Drop the first n bytes (n <= len). */
void correu__buf_consume(correu__buf *b, size_t n);
/* Release the memory; with wipe, overwrite it first (it held secrets). */
void correu__buf_free(correu__buf *b, bool wipe);

/* Format and deliver one message if the logger wants this level. */
void correu__log(const correu_logger *lg, int level, const char *fmt, ...)
	CORREU__PRINTF(3, 4);

#endif
