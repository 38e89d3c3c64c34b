/*
 * Transcript tests for client and server cores: a script of the peer's
 * lines (S:), the exact bytes the core must write (C:), calls into the
 * core (A:) and the events it must report (E:). A server core's scripts
 * run with roles "CS" (transcript_run_file_roles()), so they read the
 * natural way round: C: is what the client sends, S: what the server core
 * must answer.
 * The runner is protocol-neutral; each protocol supplies a small adapter
 * (transcript_ops). Every run goes through split_check(): the peer's
 * bytes are delivered whole, byte by byte and cut at every offset, and
 * all runs must agree.
 *
 * Script lines (anything else is an error; "#" starts a comment line):
 *   @ option        adapter option, read before the first run
 *   @ needs crypto  skip the test in a build without mbedTLS (SCRAM, MD5)
 *   S: text         the peer sends text + CRLF    S- text  without CRLF
 *   C: text         the core must have written text + CRLF since the
 *                   last C: line (consecutive C: lines form one block)
 *                   (with roles "CS" the two letters swap)
 *   A: verb args    call the adapter; "A: verb args => NAME" expects the
 *                   call to fail with CORREU_ERR_NAME
 *   E: event        the next matching line of the event log (events in
 *                   between are skipped; order is checked); a line also
 *                   matches an event that starts with it and a space
 * S:, C: and A: text may hold \r, \n, \t, \\ and \xHH escapes; E: lines
 * are compared with the log as written (the log shows bytes escaped).
 */
#ifndef CORREU_TEST_TRANSCRIPT_H
#define CORREU_TEST_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

typedef struct transcript transcript;

struct transcript_ops {
	/* An "@" line of the script; return < 0 if unknown. */
	int (*option)(void *ctx, const char *line);
	/* A fresh client for one run. */
	void *(*open)(transcript *t, void *ctx);
	void (*close)(void *core);
	/* Server bytes; a negative return is a fatal error (logged, and the
	 * rest of the server bytes are not delivered). */
	int (*recv)(void *core, const uint8_t *p, size_t n);
	/* What the client wants to write, and how much was written. */
	const uint8_t *(*send_buf)(void *core, size_t *len);
	void (*send_ack)(void *core, size_t n);
	/* An "A:" line: verb and the (unescaped) rest. Return the call's result. */
	int (*action)(void *core, transcript *t, const char *verb, const char *args, size_t args_len);
};

/* Append one line to the event log (adapters call this from callbacks). */
void transcript_event(transcript *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Move everything the client wants to write onto the simulated wire. */
void transcript_drain(transcript *t);

/* Run a script file (path relative to the data directory given). */
void transcript_run_file(const struct transcript_ops *ops, void *ctx, const char *dir,
                         const char *name);
/* Run a script held in memory; `name` labels failures. */
void transcript_run_text(const struct transcript_ops *ops, void *ctx, const char *text,
                         const char *name);
/* The same with the script's letters for the peer and the core: NULL (or
 * "SC") for a client core, "CS" for a server core. */
void transcript_run_file_roles(const struct transcript_ops *ops, void *ctx, const char *dir,
                               const char *name, const char *roles);
void transcript_run_text_roles(const struct transcript_ops *ops, void *ctx, const char *text,
                               const char *name, const char *roles);

#endif
