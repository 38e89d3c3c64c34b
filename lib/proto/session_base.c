/*
 * The life of a blocking session (proto layer, driver level): what the
 * SMTP, POP3 and IMAP sessions share from start to free. A session is
 * made in one allocation with its read buffer, its connection set up and
 * its protocol's core made (correu__proto_kind says how), then started
 * (the greeting, capabilities and TLS, by the protocol); it waits for its
 * jobs' answers, keeps the last reply for the caller, and ends politely
 * or not. The typed steps stay with each protocol.
 */
#include <string.h>

#include "proto_session.h"

/* The longest reply text kept; the text is for people, never parsed,
 * and twice what a reply line may carry (RFC 5321 §4.5.3.1.5, RFC 1939
 * §3: 512 octets). Made small because it is held for the whole session,
 * inside the SMTP client's 64 KiB budget. */
#define TEXT_ROOM 1024u

/* The allocation, the connection and the kept text's room; the core is
 * the protocol's to make. 0 or CORREU_ERR_NOMEM, with *out set when the
 * session itself was made (it then owns t). */
static int make(const correu__proto_setup *how, correu_transport *t, const char *host,
                correu__proto_session **out)
{
	const correu__proto_kind *k = how->kind;
	const correu_allocator *a = correu__allocator(how->alloc);
	correu__proto_session *b = correu__calloc(a, k->size + k->rbuf_len);
	int rc;

	*out = b;
	if (!b)
		return CORREU_ERR_NOMEM;
	b->kind = k;
	b->alloc = a;
	correu__buf_init(&b->last_text, a, TEXT_ROOM);
	rc = correu__proto_io_init(&b->io, a, t, host, how->tls, (uint8_t *)b + k->size,
	                           k->rbuf_len);
	b->io.ops = k->core;
	/* Room made now, so that keeping a reply later can never fail. */
	if (rc < 0 || correu__buf_reserve(&b->last_text, TEXT_ROOM) < 0)
		return CORREU_ERR_NOMEM;
	return 0;
}

/* Start: make the session, have the protocol make its core, run the
 * start-up. *out is the session, or NULL on failure (t is then freed). */
static int begin(const correu__proto_setup *how, correu_transport *t, const char *host,
                 correu__proto_session **out)
{
	correu__proto_session *b;
	int rc;

	if (!t || !how->valid) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	rc = make(how, t, host, &b);
	if (!b) {
		correu_transport_free(t);
		return rc;
	}
	if (rc == 0)
		rc = how->kind->configure(b, how->opts, t);
	if (rc == 0)
		rc = how->kind->start_up(b);
	if (rc < 0) {
		/* What the core left to say (a QUIT after a refused greeting). */
		if (b->io.core)
			correu__proto_io_flush(&b->io);
		correu__proto_session_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

/* Hand the session to the protocol's pointer at out. The session starts
 * with b, so b's address is the session's, and every pointer to a struct
 * has the same representation (C11 6.2.5): b's bytes are the protocol's
 * pointer, and no pointer is cast to an incompatible type. */
static void give(void *out, correu__proto_session *b)
{
	memcpy(out, &b, sizeof(b));
}

int correu__proto_session_start(correu__proto_setup how, correu_transport *t, const char *host,
                                void *out)
{
	correu__proto_session *b = NULL;
	int rc;

	if (!out) {
		correu_transport_free(t);
		return CORREU_ERR_ARG;
	}
	rc = begin(&how, t, host, &b);
	give(out, b);
	return rc;
}

int correu__proto_session_open(correu__proto_setup how, const char *host, uint16_t port, void *out)
{
	correu__proto_session *b = NULL;
	correu_transport *t;
	correu_tls_config *own;
	int rc;

	if (!host || !out)
		return CORREU_ERR_ARG;
	rc = correu__proto_connect(host, port, how.connect_timeout_ms, how.alloc, how.implicit,
	                           &how.tls, &t, &own);
	if (rc == 0)
		rc = begin(&how, t, host, &b);
	if (rc == 0)
		b->io.own_tls = own;
	else
		correu_tls_config_free(own);
	give(out, b);
	return rc;
}

void correu__proto_session_free(correu__proto_session *b)
{
	const correu__proto_kind *k;

	if (!b)
		return;
	k = b->kind;
	if (b->io.core)
		k->core->free(b->io.core);
	if (k->release)
		k->release(b);
	correu__proto_io_free(&b->io);
	correu__buf_free(&b->last_text, false);
	correu__free(b->alloc, b, k->size + k->rbuf_len);
}

int correu__proto_session_job(correu__proto_session *b, uint32_t await, int queued)
{
	int rc = queued < 0 ? queued : 0;

	/* No event comes while a command is queued, so the wait starts
	 * here, after it. */
	b->await = await;
	b->done = false;
	while (rc == 0 && !b->done)
		rc = correu__proto_io_step(&b->io, &b->error, UINT64_MAX);
	b->await = 0;
	if (rc < 0)
		return rc;
	rc = b->fn_error;
	b->fn_error = 0;
	return rc;
}

void correu__proto_session_event(correu__proto_session *b, uint32_t type, int error)
{
	if (type == b->io.ops->ev.ready)
		b->ready = true;
	else if (type == b->io.ops->ev.starttls)
		b->io.starttls = true;
	else if (type == b->io.ops->ev.closed)
		b->closed = b->done = true;
	else if (type == b->io.ops->ev.error)
		b->error = error;
}

int correu__proto_session_closing(const correu__proto_session *b)
{
	if (!b)
		return CORREU_ERR_ARG;
	return b->closed ? 1 : b->error;
}

void correu__proto_session_shutdown(correu__proto_session *b)
{
	int rc = correu_transport_shutdown(b->io.t);

	(void)rc; /* the session is over either way */
}

int correu__proto_session_last(const correu__proto_session *b, const char **text_out,
                               uint32_t *code_out)
{
	if (text_out)
		*text_out = "";
	if (code_out)
		*code_out = 0;
	if (!b || !b->have_reply)
		return CORREU_ERR_NOT_FOUND;
	if (text_out && b->last_text.len)
		*text_out = (const char *)b->last_text.data;
	if (code_out)
		*code_out = b->last_code;
	return 0;
}
