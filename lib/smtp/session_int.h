/*
 * The blocking SMTP session's state, shared by session.c (connect, greet,
 * STARTTLS, quit and the I/O loop), session_auth.c (login) and
 * session_send.c (one message).
 * A driver, not a core: it owns a transport, reads the clock and waits.
 */
#ifndef CORREU_SMTP_SESSION_INT_H
#define CORREU_SMTP_SESSION_INT_H

#include <stdbool.h>

#include "correu/smtp.h"
#include "internal.h"
#include "proto/proto_session.h"

struct correu_smtp_session {
	correu__proto_session base; /* first: the connection and what events said */
	correu_smtp_session_options opts;
	correu_smtp_settings set;
	correu_smtp_client *c;

	/* What the SMTP events said. */
	bool body, auth_done;
	uint32_t *rcpt_codes; /* per envelope recipient, for the message */
	size_t nrcpt;
	uint32_t data_end_code;
	uint32_t delivered; /* LMTP: 2xx end-of-data replies */
	/* Also shown every event, after the above is noted (session_batch.c
	 * matches replies to the messages of a batch); NULL for none. */
	correu_smtp_event_fn tap;
	void *tap_userdata;
};

/* One round of I/O: write, or read, or wait, by the core's wishes. */
int correu__smtp_session_io(correu_smtp_session *s);
/* Run I/O until cond(s) holds or an error. */
int correu__smtp_session_until(correu_smtp_session *s, bool (*cond)(const correu_smtp_session *));

/* session_send.c, also for session_batch.c: queue MAIL, every RCPT and
 * DATA (taking the transaction back on a local refusal); stream a body
 * from a reader and end it (CORREU_ERR_REPLY: the server ended the
 * transaction; another error poisons the session, as a message cut short
 * must never be ended); a reader over a buffer. */
int correu__smtp_session_envelope(correu_smtp_session *s, const correu_smtp_envelope *env,
                                  uint64_t size_hint);
int correu__smtp_session_body(correu_smtp_session *s, correu_smtp_reader_fn reader, void *ud,
                              uint64_t total);
struct correu__smtp_mem {
	const uint8_t *p;
	size_t left;
};
correu_ssize correu__smtp_mem_read(uint8_t *buf, size_t cap, void *userdata);

#endif
