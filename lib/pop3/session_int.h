/*
 * The blocking POP3 session's state, shared by session.c (connect, login,
 * quit), session_io.c (events and the I/O loop) and session_ops.c (the
 * jobs: stat, list, uidl, retrieve, top, delete, reset). A driver, not a core: it owns a
 * transport, reads the clock and waits.
 */
#ifndef CORREU_POP3_SESSION_INT_H
#define CORREU_POP3_SESSION_INT_H

#include <stdbool.h>

#include "correu/pop3.h"
#include "internal.h"
#include "proto/proto_session.h"

struct correu_pop3_session {
	const correu_allocator *alloc;
	correu_pop3_session_options opts;
	correu_pop3_settings set;
	correu_pop3_client *c;
	correu__proto_io io; /* the transport, and the loop that drives c */

	/* What the events said. */
	bool ready, closed;
	int error;
	/* The command a job waits for, and whether it is answered in full
	 * (its reply, and for a multi-line +OK its end). */
	uint32_t await;
	bool done;
	bool last_ok, have_reply;
	uint32_t last_code;
	correu__buf last_text; /* NUL-terminated */
	uint32_t stat_count;
	uint64_t stat_size;

	/* The job's consumers; the first negative code they return is kept
	 * and the rest of the response is read and dropped. */
	correu_pop3_list_fn list_fn;
	correu_pop3_uidl_fn uidl_fn;
	correu_pop3_body_fn body_fn;
	void *fn_userdata;
	int fn_error;

	uint8_t rbuf[16384];
};

/* The core's event callback: the session is the userdata. */
int correu__pop3_session_event(const correu_pop3_event *ev, void *userdata);
/* Run I/O until the awaited command is answered, or an error. */
int correu__pop3_session_wait(correu_pop3_session *s);
/* Send a queued command's way and wait: the job's common path. */
int correu__pop3_session_job(correu_pop3_session *s, uint32_t cmd, int queued);

#endif
