/*
 * The ring of commands queued and in flight (proto layer, core level),
 * which the SMTP and POP3 client cores match their replies against: each
 * reply answers the oldest command sent (RFC 5321 §4.1, RFC 2920 §3.1;
 * RFC 1939 §3, RFC 2449 §6.6). The protocols decide when a command may
 * go; this file only keeps the order, the bytes and the limits.
 */
#include <string.h>

#include "proto_client.h"

void correu__proto_cmdq_init(correu__proto_cmdq *q, const correu_allocator *a, size_t size,
                             size_t max_recs, size_t max_bytes, correu__proto_timer *t)
{
	memset(q, 0, sizeof(*q));
	q->alloc = a;
	q->timer = t;
	q->size = size;
	q->max = max_recs;
	correu__buf_init(&q->bytes, a, max_bytes);
}

void correu__proto_cmdq_free(correu__proto_cmdq *q)
{
	if (q->recs)
		correu__free(q->alloc, q->recs, q->cap * q->size);
	q->recs = NULL;
	q->cap = q->head = q->len = q->nsent = 0;
	correu__buf_free(&q->bytes, true);
}

/* A ring of `cap` records (cap >= len, <= max), the old ones unrolled in
 * order at its start. */
static int resize(correu__proto_cmdq *q, size_t cap)
{
	uint8_t *n = correu__alloc(q->alloc, cap * q->size);

	if (!n)
		return CORREU_ERR_NOMEM;
	for (size_t i = 0; i < q->len; i++)
		memcpy(n + i * q->size, correu__proto_cmdq_at(q, i), q->size);
	if (q->recs)
		correu__free(q->alloc, q->recs, q->cap * q->size);
	q->recs = n;
	q->cap = cap;
	q->head = 0;
	return 0;
}

/* Room for one more record. */
static int grow(correu__proto_cmdq *q)
{
	size_t cap;

	if (q->len < q->cap)
		return 0;
	if (q->len >= q->max)
		return CORREU_ERR_LIMIT;
	cap = q->cap ? q->cap * 2 : 8;
	return resize(q, cap > q->max ? q->max : cap);
}

/* Copy a record in behind the newest (room was made) with `len` bytes
 * queued; the step awaited changes, so its timer restarts. */
static void add(correu__proto_cmdq *q, const correu__proto_cmd *rec, size_t len)
{
	correu__proto_cmd *r;

	q->len++;
	r = correu__proto_cmdq_at(q, q->len - 1);
	memcpy(r, rec, q->size);
	r->len = len;
	q->timer->progress = true;
}

int correu__proto_cmdq_push(correu__proto_cmdq *q, const correu__proto_cmd *rec,
                            const uint8_t *bytes, size_t len)
{
	int rc;

	/* Room is checked first so a refused command leaves nothing behind. */
	if (len > q->bytes.max - q->bytes.len)
		return CORREU_ERR_LIMIT;
	rc = grow(q);
	if (rc == 0)
		rc = correu__buf_append(&q->bytes, bytes, len);
	if (rc < 0)
		return rc;
	add(q, rec, len);
	return 0;
}

int correu__proto_cmdq_inflight(correu__proto_cmdq *q, const correu__proto_cmd *rec)
{
	int rc = grow(q);

	if (rc < 0)
		return rc;
	add(q, rec, 0);
	q->nsent++;
	return 0;
}

void correu__proto_cmdq_pop(correu__proto_cmdq *q)
{
	q->head = (q->head + 1) % q->cap;
	q->len--;
	q->nsent--;
}

void correu__proto_cmdq_unpush(correu__proto_cmdq *q)
{
	q->len--;
}

void correu__proto_cmdq_drop_next(correu__proto_cmdq *q)
{
	size_t n = correu__proto_cmdq_at(q, q->nsent)->len;

	/* Its bytes are the first in the queue (commands leave in order). */
	correu__buf_consume(&q->bytes, n);
	correu_wipe(q->bytes.data + q->bytes.len, n);
	for (size_t i = q->nsent; i + 1 < q->len; i++)
		memcpy(correu__proto_cmdq_at(q, i), correu__proto_cmdq_at(q, i + 1), q->size);
	q->len--;
}

int correu__proto_cmdq_reserve(correu__proto_cmdq *q, size_t nrecs, size_t nbytes)
{
	int rc = 0;

	if (nbytes > q->bytes.max - q->bytes.len || nrecs > q->max - q->len)
		return CORREU_ERR_LIMIT;
	if (q->len + nrecs > q->cap) {
		size_t cap = q->len + nrecs + 8;

		rc = resize(q, cap > q->max ? q->max : cap);
	}
	return rc < 0 ? rc : correu__buf_reserve(&q->bytes, nbytes);
}

int correu__proto_cmdq_pump(correu__proto_cmdq *q, correu__buf *out, correu__proto_gate_fn gate,
                            void *userdata)
{
	while (q->nsent < q->len) {
		correu__proto_cmd *r = correu__proto_cmdq_at(q, q->nsent);
		int rc = gate(r, userdata);

		if (rc <= 0)
			return rc;
		if (r->len > out->max - out->len)
			return 0;
		rc = correu__buf_append(out, q->bytes.data, r->len);
		if (rc < 0)
			return rc;
		/* The bytes may be a password's (PASS, AUTH): wipe what the
		 * shift frees. */
		correu__buf_consume(&q->bytes, r->len);
		correu_wipe(q->bytes.data + q->bytes.len, r->len);
		r->len = 0;
		q->nsent++;
	}
	return 0;
}
