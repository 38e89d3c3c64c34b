/*
 * The in-memory transport pair (transport layer): two handles joined by two
 * bounded ring buffers, one per direction. Bounded so that tests meet
 * WANT_WRITE, and with an optional chunk limit so that they meet partial
 * reads and writes, exactly as a real socket would give them.
 */
#include <string.h>

#include "transport_int.h"

struct ring {
	uint8_t *data; /* capacity bytes */
	size_t head;   /* next byte to read */
	size_t used;
};

struct pair;

struct side {
	struct pair *pair;
	int idx;   /* 0 or 1; side i sends into ring[i] */
	bool open; /* its handle has not been freed */
	bool shut; /* it will send no more */
};

struct pair {
	const correu_allocator *alloc;
	size_t capacity;
	size_t max_chunk;
	struct ring ring[2];
	struct side side[2];
	uint8_t *block; /* both rings' storage */
};

static size_t clamp(const struct pair *p, size_t n)
{
	return (p->max_chunk && n > p->max_chunk) ? p->max_chunk : n;
}

static correu_ssize mem_send(const uint8_t *buf, size_t len, void *userdata)
{
	struct side *me = userdata;
	struct pair *p = me->pair;
	struct side *peer = &p->side[1 - me->idx];
	struct ring *r = &p->ring[me->idx];
	size_t n, tail, first;

	if (me->shut || !peer->open)
		return CORREU_ERR_CLOSED;
	n = clamp(p, len);
	if (n > p->capacity - r->used)
		n = p->capacity - r->used;
	if (n == 0)
		return CORREU_ERR_WANT_WRITE;
	tail = (r->head + r->used) % p->capacity;
	first = p->capacity - tail < n ? p->capacity - tail : n;
	memcpy(r->data + tail, buf, first);
	memcpy(r->data, buf + first, n - first);
	r->used += n;
	return (correu_ssize)n;
}

static correu_ssize mem_recv(uint8_t *buf, size_t len, void *userdata)
{
	struct side *me = userdata;
	struct pair *p = me->pair;
	struct side *peer = &p->side[1 - me->idx];
	struct ring *r = &p->ring[1 - me->idx];
	size_t n, first;

	if (r->used == 0)
		return (peer->shut || !peer->open) ? CORREU_ERR_EOF : CORREU_ERR_WANT_READ;
	n = clamp(p, len);
	if (n > r->used)
		n = r->used;
	first = p->capacity - r->head < n ? p->capacity - r->head : n;
	memcpy(buf, r->data + r->head, first);
	memcpy(buf + first, r->data, n - first);
	r->head = (r->head + n) % p->capacity;
	r->used -= n;
	return (correu_ssize)n;
}

static int mem_shutdown(void *userdata)
{
	struct side *me = userdata;

	me->shut = true;
	return 0;
}

static int mem_close(void *userdata)
{
	struct side *me = userdata;
	struct pair *p = me->pair;

	me->open = false;
	me->shut = true;
	if (!p->side[1 - me->idx].open) {
		correu__free(p->alloc, p->block, 2 * p->capacity);
		correu__free(p->alloc, p, sizeof(*p));
	}
	return 0;
}

/* One thread cannot wait for itself: report what is ready now. */
static int mem_wait(uint32_t events, int32_t timeout_ms, void *userdata)
{
	struct side *me = userdata;
	struct pair *p = me->pair;
	const struct side *peer = &p->side[1 - me->idx];
	int ready = 0;

	(void)timeout_ms;
	if ((events & CORREU_WAIT_READ) &&
	    (p->ring[1 - me->idx].used > 0 || peer->shut || !peer->open))
		ready |= CORREU_WAIT_READ;
	/* A send to a closed peer fails at once, which counts as ready. */
	if ((events & CORREU_WAIT_WRITE) &&
	    (p->ring[me->idx].used < p->capacity || me->shut || !peer->open))
		ready |= CORREU_WAIT_WRITE;
	return ready ? ready : CORREU_ERR_TIMEOUT;
}

static const correu_transport_ops mem_ops = {
	CORREU_TRANSPORT_OPS_VERSION, mem_send, mem_recv, mem_shutdown, mem_close, NULL, mem_wait,
};

int correu_mem_pair_new(size_t capacity, size_t max_chunk, const correu_allocator *alloc,
                        correu_transport **a_out, correu_transport **b_out)
{
	struct pair *p;
	int rc;

	if (!a_out || !b_out)
		return CORREU_ERR_ARG;
	*a_out = *b_out = NULL;
	if (capacity == 0)
		return CORREU_ERR_ARG;
	if (capacity > SIZE_MAX / 2)
		return CORREU_ERR_LIMIT;
	alloc = correu__allocator(alloc);
	p = correu__calloc(alloc, sizeof(*p));
	if (!p)
		return CORREU_ERR_NOMEM;
	p->block = correu__alloc(alloc, 2 * capacity);
	if (!p->block) {
		correu__free(alloc, p, sizeof(*p));
		return CORREU_ERR_NOMEM;
	}
	p->alloc = alloc;
	p->capacity = capacity;
	p->max_chunk = max_chunk;
	for (int i = 0; i < 2; i++) {
		p->ring[i].data = p->block + (size_t)i * capacity;
		p->side[i].pair = p;
		p->side[i].idx = i;
		p->side[i].open = true;
	}
	rc = correu_transport_new(&mem_ops, &p->side[0], alloc, a_out);
	if (rc < 0) {
		p->side[0].open = false;
		mem_close(&p->side[1]); /* frees the pair */
		return rc;
	}
	rc = correu_transport_new(&mem_ops, &p->side[1], alloc, b_out);
	if (rc < 0) {
		p->side[1].open = false;
		correu_transport_free(*a_out); /* its close frees the pair */
		*a_out = NULL;
		return rc;
	}
	return 0;
}
