/*
 * The SMTP server core's adapter for the transcript runner, whose scripts
 * run with roles "CS" (C: lines are the client's bytes, S: lines what the
 * server must answer; see smtpd_run()).
 * It stands in for the server runtime: it buffers input the core has not
 * taken, offers it again when the core wants to read, drops what was
 * pipelined behind STARTTLS, and drives the in-memory backend of the
 * store tests (memback), either answering at once or, with "@ later",
 * only once the core waits for it, so each script also runs the paths of
 * a backend that answers later.
 */
#ifndef CORREU_TEST_SMTPD_ADAPTER_H
#define CORREU_TEST_SMTPD_ADAPTER_H

#include <stdbool.h>

#include "correu/smtp_server.h"
#include "memback.h"
#include "transcript.h"

struct smtpd_tctx {
	correu_smtp_server_settings set;
	uint32_t peer_flags;   /* CORREU_SERVER_PEER_* */
	char addr[64];         /* the client's address */
	char xclient[64];      /* a network trusted with XCLIENT, or "" */
	bool later;            /* the backend answers later */
	bool no_password;      /* the backend offers no password check */
	int auth_error;        /* the backend's password check fails with it */
	const correu_allocator *alloc;
	/* A fresh backend, made once: memback_init() derives SCRAM keys,
	 * too slow to repeat for every split of every script. */
	struct memback proto;
	bool have_proto;
};

extern const struct transcript_ops smtpd_transcript_ops;

/* Defaults: MX mode as "mx.example", client 192.0.2.1 on a STARTTLS
 * listener, a fixed clock, SCRAM's random source, no error delay. */
void smtpd_tctx_init(struct smtpd_tctx *x);

/* Run tests/data/smtpd/<name> with x's settings (roles "CS"). */
void smtpd_run(struct smtpd_tctx *x, const char *dir, const char *name);

/* The fixed wall clock of the tests: Fri, 28 Nov 2025 04:47:28 +0000. */
#define SMTPD_TEST_TIME 1764305248

#endif
