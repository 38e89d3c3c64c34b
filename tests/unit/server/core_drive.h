/*
 * One session of a server core driven the way the server runtime drives
 * it, for the SMTP and POP3 server cores' transcript adapters: input the
 * core has not taken is kept and offered again while the core wants to
 * read, one command at a time; a backend that answers later (memback,
 * "@ later") is run once the core waits for it; what the session wants
 * (to close, to start TLS) is logged once as a transcript event; and the
 * transcript actions that stand for the runtime's events (tls, eof, idle,
 * shutdown, time, want) are carried out.
 */
#ifndef CORREU_TEST_CORE_DRIVE_H
#define CORREU_TEST_CORE_DRIVE_H

#include <stdbool.h>

#include "correu/server.h"
#include "memback.h"
#include "transcript.h"

struct core_drive {
	const correu_server_core *core;
	void *sess;
	struct memback *mb; /* the backend, run when the core waits for it */
	transcript *t;      /* where events go */
	uint64_t now;
	uint8_t *in;        /* input the core has not taken */
	size_t in_len;
	bool said_close, said_tls;
};

/* Open a session of `core` for `peer` with the core's `userdata`
 * (asserting it opens), its clock at 1000 ms. */
void cd_open(struct core_drive *d, const correu_server_core *core, const correu_server_peer *peer,
             void *userdata, struct memback *mb, transcript *t);
/* Close the session, then let the backend finish what it was given. */
void cd_close(struct core_drive *d);
/* Keep client bytes for the core. */
void cd_feed(struct core_drive *d, const uint8_t *p, size_t n);
/* Offer the kept input while the core wants it and run the backend while
 * the core waits; 0 or the core's error. cd_pump_note() also logs what
 * the session now wants ("close", "starttls"). */
int cd_pump(struct core_drive *d);
int cd_pump_note(struct core_drive *d);
/* The core's output and its acknowledgement (asserting they succeed). */
const uint8_t *cd_send_buf(struct core_drive *d, size_t *len);
void cd_send_ack(struct core_drive *d, size_t n);
/* A runtime event, then cd_pump_note(). */
int cd_event(struct core_drive *d, uint32_t ev, uint64_t arg);
/*
 * The actions of the runtime: "tls" (drop what was pipelined behind the
 * STARTTLS go-ahead and report the upgrade), "eof", "idle", "shutdown",
 * "time <ms>" (the clock moves; a passed deadline fires) and "want".
 * CORREU_ERR_ARG for any other verb.
 */
int cd_action(struct core_drive *d, const char *verb, const char *args);

#endif
