/*
 * Reply output of a server core (server layer, internal; see output.h):
 * queued replies, the part offered to the runtime, and the part held back
 * until a deadline.
 */
#include "output.h"

void correu__server_out_init(correu__server_out *o, const correu_allocator *a, size_t max)
{
	correu__buf_init(&o->buf, a, max);
	o->ready = 0;
	o->release_at = UINT64_MAX;
}

void correu__server_out_free(correu__server_out *o)
{
	correu__buf_free(&o->buf, false);
	o->ready = 0;
}

void correu__server_out_offer(correu__server_out *o)
{
	if (o->release_at == UINT64_MAX)
		o->ready = o->buf.len;
}

int correu__server_out_append(correu__server_out *o, const void *p, size_t n)
{
	int rc = correu__buf_append(&o->buf, p, n);

	if (rc == 0)
		correu__server_out_offer(o);
	return rc;
}

bool correu__server_out_held(const correu__server_out *o)
{
	return o->release_at != UINT64_MAX;
}

void correu__server_out_hold(correu__server_out *o, uint64_t now_ms, uint32_t delay_ms)
{
	if (delay_ms == 0 || correu__server_out_held(o))
		return;
	o->ready = o->buf.len;
	o->release_at = now_ms + delay_ms;
}

void correu__server_out_release(correu__server_out *o)
{
	o->release_at = UINT64_MAX;
	o->ready = o->buf.len;
}

bool correu__server_out_due(correu__server_out *o, uint64_t now_ms)
{
	if (!correu__server_out_held(o) || now_ms < o->release_at)
		return false;
	correu__server_out_release(o);
	return true;
}

int correu__server_out_send_buf(const uint8_t **buf_out, size_t *len_out, void *session)
{
	const correu__server_out *o = session;

	*buf_out = o->buf.data;
	*len_out = o->ready;
	return 0;
}

int correu__server_out_send_ack(size_t n, void *session)
{
	correu__server_out *o = session;

	if (n > o->ready)
		return CORREU_ERR_ARG;
	correu__buf_consume(&o->buf, n);
	o->ready -= n;
	return 0;
}

int correu__server_out_deadline(uint64_t *deadline_out, void *session)
{
	*deadline_out = ((const correu__server_out *)session)->release_at;
	return 0;
}
