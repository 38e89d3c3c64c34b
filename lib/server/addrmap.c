/*
 * A fixed-capacity table keyed by IP address (server runtime, driver
 * layer), with a least-recently-used order. All memory is taken once, at
 * creation: a client that walks through addresses can make the table
 * forget old entries but never grow it. Used for per-IP connection counts
 * and for the auth-failure back-off.
 *
 * The hash is SipHash-2-4 under a key each runtime draws at random. With a
 * fixed hash a client that picks its source addresses (an IPv6 client has
 * a /64 or more to pick from) could put every entry on one chain and turn
 * each lookup into a walk of the whole table; with a secret key it cannot
 * tell which addresses collide.
 */
#include <string.h>

#include "server_int.h"

#define NIL UINT32_MAX

static uint32_t hash(const correu__addrmap *m, const correu__addr *k)
{
	return (uint32_t)(correu__siphash24(m->key, k->b, sizeof(k->b)) % m->nbuckets);
}

uint32_t correu__addrmap_bucket(const correu__addrmap *m, const correu__addr *key)
{
	return m->nbuckets ? hash(m, key) : 0;
}

int correu__addrmap_init(correu__addrmap *m, const correu_allocator *a, uint32_t cap,
                         const uint8_t key[CORREU__SIPHASH_KEY])
{
	memset(m, 0, sizeof(*m));
	m->alloc = a;
	memcpy(m->key, key, sizeof(m->key));
	m->free_head = m->lru_head = m->lru_tail = NIL;
	if (cap == 0)
		return 0;
	/* Settings keep cap <= 2^24, so these sizes cannot overflow. */
	m->nbuckets = cap;
	m->ents = correu__calloc(a, (size_t)cap * sizeof(*m->ents));
	m->buckets = correu__alloc(a, (size_t)cap * sizeof(*m->buckets));
	if (!m->ents || !m->buckets) {
		correu__addrmap_deinit(m);
		return CORREU_ERR_NOMEM;
	}
	m->cap = cap;
	for (uint32_t i = 0; i < cap; i++) {
		m->buckets[i] = NIL;
		m->ents[i].hnext = i + 1 < cap ? i + 1 : NIL;
	}
	m->free_head = 0;
	return 0;
}

void correu__addrmap_deinit(correu__addrmap *m)
{
	correu__free(m->alloc, m->ents, (size_t)m->nbuckets * sizeof(*m->ents));
	correu__free(m->alloc, m->buckets, (size_t)m->nbuckets * sizeof(*m->buckets));
	m->ents = NULL;
	m->buckets = NULL;
	m->cap = m->used = 0;
	correu_wipe(m->key, sizeof(m->key));
}

static void lru_unlink(correu__addrmap *m, uint32_t i)
{
	correu__addrent *e = &m->ents[i];

	if (e->lprev != NIL)
		m->ents[e->lprev].lnext = e->lnext;
	else
		m->lru_head = e->lnext;
	if (e->lnext != NIL)
		m->ents[e->lnext].lprev = e->lprev;
	else
		m->lru_tail = e->lprev;
}

static void lru_push(correu__addrmap *m, uint32_t i)
{
	correu__addrent *e = &m->ents[i];

	e->lprev = NIL;
	e->lnext = m->lru_head;
	if (m->lru_head != NIL)
		m->ents[m->lru_head].lprev = i;
	m->lru_head = i;
	if (m->lru_tail == NIL)
		m->lru_tail = i;
}

static uint32_t lookup(const correu__addrmap *m, const correu__addr *k)
{
	if (m->cap == 0)
		return NIL;
	for (uint32_t i = m->buckets[hash(m, k)]; i != NIL; i = m->ents[i].hnext)
		if (memcmp(m->ents[i].key.b, k->b, sizeof(k->b)) == 0)
			return i;
	return NIL;
}

const correu__addrent *correu__addrmap_peek(const correu__addrmap *m, const correu__addr *key)
{
	uint32_t i = lookup(m, key);

	return i == NIL ? NULL : &m->ents[i];
}

correu__addrent *correu__addrmap_find(correu__addrmap *m, const correu__addr *key)
{
	uint32_t i = lookup(m, key);

	if (i == NIL)
		return NULL;
	lru_unlink(m, i);
	lru_push(m, i);
	return &m->ents[i];
}

correu__addrent *correu__addrmap_get(correu__addrmap *m, const correu__addr *key)
{
	correu__addrent *e = correu__addrmap_find(m, key);
	uint32_t i, b;

	if (e || m->cap == 0)
		return e;
	if (m->free_head == NIL)
		correu__addrmap_remove(m, &m->ents[m->lru_tail]);
	i = m->free_head;
	e = &m->ents[i];
	m->free_head = e->hnext;
	memset(e, 0, sizeof(*e));
	e->key = *key;
	e->used = true;
	b = hash(m, key);
	e->hnext = m->buckets[b];
	m->buckets[b] = i;
	lru_push(m, i);
	m->used++;
	return e;
}

void correu__addrmap_remove(correu__addrmap *m, correu__addrent *e)
{
	uint32_t i = (uint32_t)(e - m->ents);
	uint32_t *link = &m->buckets[hash(m, &e->key)];

	while (*link != i)
		link = &m->ents[*link].hnext;
	*link = e->hnext;
	lru_unlink(m, i);
	e->used = false;
	e->hnext = m->free_head;
	m->free_head = i;
	m->used--;
}
