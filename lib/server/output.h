/*
 * Reply output of a server core (server layer, internal; used by the SMTP
 * and POP3 server cores): one bounded buffer of queued replies of which
 * only the first `ready` bytes are offered to the runtime. The rest may be
 * held back until a deadline, which is how a core delays its answer after
 * a failed authentication or too many errors without ever sleeping (RFC
 * 5321 section 7.8 and RFC 4954 section 4 leave the delay to the server;
 * the runtime's back-off supplies it). Nothing here touches the system.
 * Nothing here is exported.
 */
#ifndef CORREU_SERVER_OUTPUT_H
#define CORREU_SERVER_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef struct correu__server_out {
	correu__buf buf;     /* queued replies, held ones included */
	size_t ready;        /* the first `ready` bytes may be written now */
	uint64_t release_at; /* when held bytes are offered; UINT64_MAX: none held */
} correu__server_out;

/* An empty output of at most `max` queued bytes (borrowing `a`). */
void correu__server_out_init(correu__server_out *o, const correu_allocator *a, size_t max);
void correu__server_out_free(correu__server_out *o);

/* Offer everything queued, unless something is being held back. */
void correu__server_out_offer(correu__server_out *o);
/* Append bytes and offer them (as correu__server_out_offer()). Returns 0
 * or CORREU_ERR_LIMIT / CORREU_ERR_NOMEM from the buffer, in which case
 * nothing new is offered. */
int correu__server_out_append(correu__server_out *o, const void *p, size_t n);

/* Whether queued bytes are being held back. */
bool correu__server_out_held(const correu__server_out *o);
/* Offer what is queued now and hold back what is queued from now on for
 * `delay_ms` after `now_ms`. A delay of 0 holds nothing; an earlier hold
 * keeps its own release time. */
void correu__server_out_hold(correu__server_out *o, uint64_t now_ms, uint32_t delay_ms);
/* Offer everything, held bytes included. */
void correu__server_out_release(correu__server_out *o);
/* On a timer event: release if the hold is over; whether it was. */
bool correu__server_out_due(correu__server_out *o, uint64_t now_ms);

/*
 * The `send_buf`, `send_ack` and `next_deadline` entries of a server
 * core (correu_server_core in correu/server.h), for sessions whose struct
 * starts with their correu__server_out (the core checks this with a
 * static assertion), so the core's table can name them directly.
 * send_ack returns CORREU_ERR_ARG for more bytes than were offered.
 */
int correu__server_out_send_buf(const uint8_t **buf_out, size_t *len_out, void *session);
int correu__server_out_send_ack(size_t n, void *session);
int correu__server_out_deadline(uint64_t *deadline_out, void *session);

#endif
