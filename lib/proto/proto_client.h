/*
 * The handle plumbing the SMTP, POP3 and IMAP client cores share (proto
 * layer, core level; internal): the output the driver drains through
 * send_buf / send_ack, the clock that times the step awaited, and the
 * ring of commands queued and in flight that SMTP and POP3 match their
 * replies against. Only the protocol words and state machines stay in
 * each protocol. No I/O, no clock: this is part of each sans-I/O core.
 */
#ifndef CORREU_PROTO_CLIENT_H
#define CORREU_PROTO_CLIENT_H

#include <stdbool.h>

#include "internal.h"

/* ------------------------------------------------------------------ */
/* Output (client_out.c)                                               */

/* send_buf: the bytes waiting in `out` (NULL for a NULL handle's), with
 * *len_out set (0 when there are none or `out` is NULL). */
const uint8_t *correu__proto_out_peek(const correu__buf *out, size_t *len_out);

/*
 * send_ack's common half: n bytes of `out` were written, so they are
 * dropped and the room the shift frees is wiped (they may have held a
 * password). Returns 1 when bytes went, 0 for n 0, or CORREU_ERR_ARG when
 * `out` is NULL or n is more than is waiting.
 */
int correu__proto_out_ack(correu__buf *out, size_t n);

/* ------------------------------------------------------------------ */
/* Time (client_out.c)                                                 */

/*
 * The clock of a core: every timeout runs from base_ms, the time of the
 * first clock update after the last progress (bytes read or written, a
 * command queued). The core never reads a clock itself; recv and tick
 * bring the time.
 */
typedef struct correu__proto_timer {
	uint64_t base_ms;
	bool progress; /* something moved: the next update restarts the timer */
} correu__proto_timer;

/* A clock update at `now` (ms). */
void correu__proto_timer_at(correu__proto_timer *t, uint64_t now);

/* When a step timed by `timeout_ms` expires: base + timeout, saturated
 * at UINT64_MAX. */
uint64_t correu__proto_after(uint64_t base_ms, uint64_t timeout_ms);

/* ------------------------------------------------------------------ */
/* The command ring (cmdq.c)                                           */

/* The queue's part of a command record; a protocol's own record type
 * begins with it, so that the ring can hold that type. */
typedef struct correu__proto_cmd {
	size_t len; /* bytes in the queue while not sent; 0 once sent */
} correu__proto_cmd;

/*
 * Commands in the order they were queued: the oldest `nsent` are sent
 * and await their replies, the others wait with their bytes in `bytes`
 * (in the same order). The ring grows geometrically up to `max` records.
 */
typedef struct correu__proto_cmdq {
	const correu_allocator *alloc;
	uint8_t *recs;          /* `cap` records of `size` bytes */
	size_t size;            /* bytes of one record (the protocol's type) */
	size_t cap, head, len;  /* ring: head is the oldest */
	size_t nsent;           /* of len, sent (in flight) */
	size_t max;             /* records at most */
	correu__buf bytes;      /* the unsent commands' bytes */
	correu__proto_timer *timer; /* the core's: a command queued is progress */
} correu__proto_cmdq;

/* An empty queue of records of `size` bytes (at most max_recs of them,
 * holding at most max_bytes unsent bytes) for a core whose timer is `t`
 * (borrowed for the queue's life); allocates nothing. */
void correu__proto_cmdq_init(correu__proto_cmdq *q, const correu_allocator *a, size_t size,
                             size_t max_recs, size_t max_bytes, correu__proto_timer *t);
/* Release it all; the unsent bytes are wiped first (they may hold a
 * password). */
void correu__proto_cmdq_free(correu__proto_cmdq *q);

/* The i-th oldest record (i < q->len). */
static inline correu__proto_cmd *correu__proto_cmdq_at(const correu__proto_cmdq *q, size_t i)
{
	return (correu__proto_cmd *)(q->recs + ((q->head + i) % q->cap) * q->size);
}

/*
 * Queue a command behind the others: its record `rec` (the protocol's
 * type, which begins with the correu__proto_cmd) and its `len` bytes (CRLF
 * included) are copied. A refused command leaves nothing behind. Returns
 * 0, CORREU_ERR_LIMIT (too many commands or bytes) or CORREU_ERR_NOMEM.
 */
int correu__proto_cmdq_push(correu__proto_cmdq *q, const correu__proto_cmd *rec,
                            const uint8_t *bytes, size_t len);

/* Record a command whose reply is awaited though it is not sent from
 * the queue (the greeting): only when nothing waits unsent. Returns 0,
 * CORREU_ERR_LIMIT or CORREU_ERR_NOMEM. */
int correu__proto_cmdq_inflight(correu__proto_cmdq *q, const correu__proto_cmd *rec);

/* The oldest command in flight was answered: forget it. */
void correu__proto_cmdq_pop(correu__proto_cmdq *q);

/* Forget the newest record, which has no bytes (a marker the protocol
 * acts on instead of sending). */
void correu__proto_cmdq_unpush(correu__proto_cmdq *q);

/* Drop the oldest unsent command and wipe its bytes (a PASS behind a
 * refused USER). There must be one. */
void correu__proto_cmdq_drop_next(correu__proto_cmdq *q);

/* Make room for `nrecs` more commands of `nbytes` in all, so that queueing
 * them cannot fail half-way. 0, CORREU_ERR_LIMIT or CORREU_ERR_NOMEM. */
int correu__proto_cmdq_reserve(correu__proto_cmdq *q, size_t nrecs, size_t nbytes);

/*
 * Whether the oldest unsent command, `next`, may go now: 1 to send it,
 * 0 to stop (the protocol holds it back), or a negative error. The
 * protocol may act on a marker record instead (and then stops).
 */
typedef int (*correu__proto_gate_fn)(correu__proto_cmd *next, void *userdata);

/*
 * Move unsent commands' bytes to `out`, oldest first, while `gate` lets
 * them go and they fit in its room (a full output is the back-pressure:
 * it drains first). The bytes left behind in the queue are wiped.
 * Returns 0, or the gate's error or the one appending to `out` gave.
 */
int correu__proto_cmdq_pump(correu__proto_cmdq *q, correu__buf *out, correu__proto_gate_fn gate,
                            void *userdata);

#endif
