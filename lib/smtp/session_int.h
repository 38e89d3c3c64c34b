/*
 * The blocking SMTP session's state, shared by session.c (connect, greet,
 * STARTTLS, login, quit and the I/O loop) and session_send.c (one message).
 * A driver, not a core: it owns a transport, reads the clock and waits.
 */
#ifndef CORREU_SMTP_SESSION_INT_H
#define CORREU_SMTP_SESSION_INT_H

#include <stdbool.h>

#include "correu/smtp.h"
#include "internal.h"

struct correu_smtp_session {
	const correu_allocator *alloc;
	correu_smtp_session_options opts;
	correu_smtp_settings set;
	correu_smtp_client *c;
	correu_transport *t;
	correu_tls_config *own_tls; /* made when the caller gave none */
	char *host;
	size_t host_len;

	/* What the events said. */
	bool ready, starttls, body, closed, auth_done;
	int error;
	uint32_t last_code;
	correu__buf last_text; /* NUL-terminated */
	uint32_t *rcpt_codes;  /* per envelope recipient, for the message */
	size_t nrcpt;
	uint32_t data_end_code;
	uint32_t delivered; /* LMTP: 2xx end-of-data replies */

	uint8_t rbuf[4096];
};

/* Now on a monotonic clock, in ms. */
uint64_t correu__smtp_now_ms(void);
/* One round of I/O: write, or read, or wait, by the core's wishes. */
int correu__smtp_session_io(correu_smtp_session *s);
/* Run I/O until cond(s) holds or an error. */
int correu__smtp_session_until(correu_smtp_session *s, bool (*cond)(const correu_smtp_session *));

#endif
