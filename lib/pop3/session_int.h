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
	correu__proto_session base; /* first: the connection and what events said */
	correu_pop3_session_options opts;
	correu_pop3_settings set;
	correu_pop3_client *c;

	/* base.await is the command a job waits for, base.done set when it
	 * is answered in full (its reply, and for a multi-line +OK its end). */
	bool last_ok;
	uint32_t stat_count;
	uint64_t stat_size;

	/* The job's consumers; the first negative code they return is kept
	 * (base.fn_error) and the rest of the response is read and dropped. */
	struct {
		correu_pop3_list_fn list;
		correu_pop3_uidl_fn uidl;
		correu_pop3_body_fn body;
		void *userdata;
	} fn;
};

/* The core's event callback: the session is the userdata. */
int correu__pop3_session_event(const correu_pop3_event *ev, void *userdata);
/* Send a queued command's way and wait: the job's common path. */
int correu__pop3_session_job(correu_pop3_session *s, uint32_t cmd, int queued);

#endif
