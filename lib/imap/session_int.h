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
	correu__proto_session base; /* first: the connection and what events said */
	correu_imap_session_options opts;
	correu_imap_settings set;
	correu_imap_client *c;

	/* base.await is the tag number of the command a job waits for,
	 * base.done set when it completed or the session closed. */
	bool answered; /* the awaited command's completion came (not a close) */
	uint32_t last_status;

	/* The job's consumers; the first negative code they return is kept
	 * (base.fn_error) and the rest of the answer is read and dropped. */
	struct {
		correu_imap_event_fn data;
		correu_imap_number_fn num;
		correu_imap_body_fn body;
		void *userdata;
	} fn;
	bool section_seen;
	/* SELECT, APPEND and IDLE results. */
	uint32_t exists, uidvalidity, append_uid;
	bool idling, news;
	/* APPEND from a file descriptor. */
	int append_fd;
};

/* The core's event callback: the session is the userdata. */
int correu__imaps_event(const correu_imap_client_event *ev, void *userdata);
/* Wait for the command `queued` (an id, or the error that queueing gave)
 * to complete; 0 for OK, CORREU_ERR_REPLY for NO or BAD, a consumer's
 * code, or the error met. The consumers are cleared after. */
int correu__imaps_job(correu_imap_session *s, int queued);

#endif
