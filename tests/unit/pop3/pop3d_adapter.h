/*
 * The POP3 server core's adapter for the transcript runner, whose scripts
 * run with roles "CS" (C: lines are the client's bytes, S: lines what the
 * server must answer; see pop3d_run()).
 * It stands in for the server runtime: it buffers input the core has not
 * taken, offers it again when the core wants to read, drops what was
 * pipelined behind STLS, and drives the in-memory backend of the store
 * tests (memback), either answering at once or, with "@ later", only once
 * the core waits for it, so each script also runs the paths of a backend
 * that answers later.
 */
#ifndef CORREU_TEST_POP3D_ADAPTER_H
#define CORREU_TEST_POP3D_ADAPTER_H

#include <stdbool.h>

#include "correu/pop3_server.h"
#include "transcript.h"

struct pop3d_tctx {
	correu_pop3_server_settings set;
	uint32_t peer_flags;   /* CORREU_SERVER_PEER_* */
	bool later;            /* the backend answers later */
	bool apop;             /* give APOP secrets */
	bool no_expunge;       /* a backend without expunge */
	char bodies[3][256];   /* replace INBOX message i+1's body unless "" */
	const correu_allocator *alloc;
};

extern const struct transcript_ops pop3d_transcript_ops;

/* Defaults: "pop.example", a STARTTLS-capable listener without TLS yet,
 * no random source (so no SCRAM or APOP: "@ random" adds a fixed one;
 * scripts that need it need mbedTLS too), the in-memory backend answering
 * at once. */
void pop3d_tctx_init(struct pop3d_tctx *x);

/* Run tests/data/pop3d/<name> with x's settings (roles "CS"). */
void pop3d_run(struct pop3d_tctx *x, const char *dir, const char *name);

/* The fixed random source of the tests. */
int pop3d_test_random(uint8_t *buf, size_t len, void *userdata);

#endif
