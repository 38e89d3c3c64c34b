/*
 * Auth-failure back-off per client address (server runtime, driver layer),
 * after Dovecot's auth penalty: the first failure earns a short delay that
 * doubles with each further failure up to a cap, and every quiet period
 * without a failure forgives one step. The table is bounded and forgets
 * its least recently used addresses, so an attacker cannot grow it.
 */
#include "server_int.h"

int correu__backoff_init(correu__backoff *b, const correu_allocator *a,
                         const correu_server_settings *s, const uint8_t key[CORREU__SIPHASH_KEY])
{
	b->initial_ms = s->auth_delay_initial_ms;
	b->max_ms = s->auth_delay_max_ms;
	b->quiet_ms = s->auth_quiet_ms;
	return correu__addrmap_init(&b->map, a, s->auth_table_size, key);
}

void correu__backoff_deinit(correu__backoff *b)
{
	correu__addrmap_deinit(&b->map);
}

/* Failures left after the quiet periods since the last one. */
static uint32_t decayed(const correu__backoff *b, const correu__addrent *e, uint64_t now_ms)
{
	uint64_t quiet;

	if (b->quiet_ms == 0 || now_ms <= e->stamp)
		return e->count;
	quiet = (now_ms - e->stamp) / b->quiet_ms;
	return quiet >= e->count ? 0 : e->count - (uint32_t)quiet;
}

static uint32_t delay_for(const correu__backoff *b, uint32_t failures)
{
	uint64_t d = b->initial_ms;

	if (failures == 0)
		return 0;
	for (uint32_t i = 1; i < failures && d < b->max_ms; i++)
		d *= 2;
	return d > b->max_ms ? b->max_ms : (uint32_t)d;
}

uint32_t correu__backoff_fail(correu__backoff *b, const correu__addr *key, uint64_t now_ms)
{
	correu__addrent *e = correu__addrmap_get(&b->map, key);
	uint32_t n;

	if (!e)
		return delay_for(b, 1);
	n = decayed(b, e, now_ms);
	if (n < UINT32_MAX)
		n++;
	e->count = n;
	e->stamp = now_ms;
	return delay_for(b, n);
}

void correu__backoff_success(correu__backoff *b, const correu__addr *key)
{
	correu__addrent *e = correu__addrmap_find(&b->map, key);

	if (e)
		correu__addrmap_remove(&b->map, e);
}

uint32_t correu__backoff_delay(const correu__backoff *b, const correu__addr *key,
                               uint64_t now_ms)
{
	/* A lookup that leaves the order alone: asking does not keep an
	 * address remembered, only failing does. */
	const correu__addrent *e = correu__addrmap_peek(&b->map, key);

	return e ? delay_for(b, decayed(b, e, now_ms)) : 0;
}
