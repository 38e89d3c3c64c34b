/*
 * The blocking IMAP session's state (IMAP layer, driver), shared by
 * session.c (connect, login, logout), session_io.c (events and the I/O
 * loop) and session_ops.c (the jobs: list, select, search, fetch, store,
 * move, expunge, append, idle). A driver, not a core: it owns a
 * transport, reads the clock and waits.
 */
#ifndef CORREU_IMAP_SESSION_INT_H
#define CORREU_IMAP_SESSION_INT_H

#include <stdbool.h>

#include "correu/imap.h"
#include "internal.h"
#include "proto/proto_session.h"

struct correu_imap_session {
	const correu_allocator *alloc;
	correu_imap_session_options opts;
	correu_imap_settings set;
	correu_imap_client *c;
	correu__proto_io io; /* the transport, and the loop that drives c */

	/* What the events said. */
	bool ready, closed;
	int error;
	/* The command a job waits for, and whether it completed. */
	uint32_t await_id;
	bool done;
	bool answered; /* the awaited command's completion came (not a close) */
	uint32_t last_status, last_code;
	bool have_response;
	correu__buf last_text; /* NUL-terminated, room made at the start */

	/* The job's consumers; the first negative code they return is kept
	 * and the rest of the answer is read and dropped. */
	correu_imap_event_fn data_fn;
	correu_imap_number_fn num_fn;
	correu_imap_body_fn body_fn;
	void *fn_userdata;
	int fn_error;
	bool section_seen;
	/* SELECT, APPEND and IDLE results. */
	uint32_t exists, uidvalidity, append_uid;
	bool idling, news;
	/* APPEND from a file descriptor. */
	int append_fd;

	uint8_t rbuf[16384];
};

/* The core's event callback: the session is the userdata. */
int correu__imaps_event(const correu_imap_client_event *ev, void *userdata);
/* Wait for the command `queued` (an id, or the error that queueing gave)
 * to complete; 0 for OK, CORREU_ERR_REPLY for NO or BAD, a consumer's
 * code, or the error met. The consumers are cleared after. */
int correu__imaps_job(correu_imap_session *s, int queued);

#endif
