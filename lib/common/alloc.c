/*
 * The allocator indirection every handle uses, and the libc table behind a
 * NULL allocator (common layer).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *libc_alloc(void *user, size_t size)
{
	(void)user;
	return malloc(size);
}

static void *libc_realloc(void *user, void *p, size_t old, size_t size)
{
	(void)user;
	(void)old;
	return realloc(p, size);
}

static void libc_free(void *user, void *p, size_t size)
{
	(void)user;
	(void)size;
	free(p);
}

static const correu_allocator libc_table = {
	CORREU_ALLOCATOR_VERSION, NULL, libc_alloc, libc_realloc, libc_free,
};

const correu_allocator *correu_allocator_libc(void)
{
	return &libc_table;
}

const correu_allocator *correu__allocator(const correu_allocator *a)
{
	return a ? a : &libc_table;
}

void *correu__alloc(const correu_allocator *a, size_t size)
{
	a = correu__allocator(a);
	return size ? a->alloc(a->user, size) : NULL;
}

void *correu__calloc(const correu_allocator *a, size_t size)
{
	void *p = correu__alloc(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *correu__realloc(const correu_allocator *a, void *p, size_t old, size_t size)
{
	a = correu__allocator(a);
	if (!p)
		return correu__alloc(a, size);
	if (!size)
		return NULL;
	return a->realloc(a->user, p, old, size);
}

void correu__free(const correu_allocator *a, void *p, size_t size)
{
	if (!p)
		return;
	a = correu__allocator(a);
	a->free(a->user, p, size);
}

void correu_wipe(void *p, size_t len)
{
	/* A call through a volatile pointer cannot be proven dead and dropped. */
	static void *(*const volatile do_memset)(void *, int, size_t) = memset;

	if (p && len)
		do_memset(p, 0, len);
}
