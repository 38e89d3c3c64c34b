/*
 * Test support for the server runtime: a small line protocol core written
 * for the tests ("echo"), a server running on its own thread, a log
 * collector, and blocking loopback clients with time limits, so every test
 * ends on its own.
 *
 * The echo protocol, one CRLF line per command:
 *   greeting   "+OK hello <addr> <port> tls=<0|1> proxied=<0|1>"
 *   QUIT       "+OK bye", then close
 *   STARTTLS   "+OK begin TLS", then the runtime upgrades
 *   INFO       "+OK tls=<0|1> discarded=<n> id=<conn id> unix=<0|1>"
 *   FAIL       auth failure: "-ERR delay <ms>" or "-ERR too many" and close
 *   GOOD       auth success: "+OK"
 *   DELAY      "+OK delay <ms>": the delay the address has earned
 *   SLOW <ms>  "+OK slow" once <ms> have passed (the core's deadline)
 *   BEGIN/END  a transaction: a shutdown waits for END
 *   BIG <n>    "+OK " and n bytes of 'x'
 *   PARK       no answer until another session says POKE
 *   POKE       "+OK poke"; the parked session answers "+OK poked" (a wake-up)
 *   LOG        logs "core says hi" through the runtime, answers "+OK"
 *   other      "+OK <line>"
 * A shutdown outside a transaction answers "+OK shutdown" and closes; the
 * command timeout answers "-ERR timeout" and closes; a refusal is
 * "-ERR refused <reason>".
 */
#ifndef CORREU_TEST_ECHO_H
#define CORREU_TEST_ECHO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "correu/server.h"

typedef struct echo_cfg {
	uint32_t cmd_timeout_ms; /* 0: none */
	bool silent_refuse;      /* refuse without a line */
	/* Seen by the core (the server thread); read after the server stops. */
	atomic_size_t max_output; /* most output one session held */
	atomic_int opened, closed;
	atomic_int shutdown_events;
	void *parked;             /* server thread only */
} echo_cfg;

extern const correu_server_core echo_core;

/* A server on its own thread. */
typedef struct srv_thread {
	correu_server *srv;
	pthread_t th;
	int rc;
	bool running;
} srv_thread;

/* Settings with short test timeouts. */
void test_settings(correu_server_settings *s);
/* Create a server (asserting), listen with the echo core on 127.0.0.1. */
correu_server *test_server(const correu_server_settings *s);
uint32_t test_listen(correu_server *srv, uint32_t mode, uint32_t flags,
                     const correu_tls_config *tls, echo_cfg *cfg);
void srv_start(srv_thread *st, correu_server *srv);
/* Stop with a grace period and join; asserts the loop returned 0. */
void srv_stop(srv_thread *st, uint32_t grace_ms);

/* A log hook that collects the loop's messages, one per line, the text
 * kept NUL-terminated; read it after the server stopped. */
typedef struct logbook {
	pthread_mutex_t mu;
	char text[65536];
	size_t len;
} logbook;
void logbook_hook(int level, const char *msg, size_t len, void *userdata);

/* Blocking clients on 127.0.0.1 with a 5 s limit per read and write. */
int cli_connect(uint32_t port);
void cli_send(int fd, const char *s);
/* One line without CRLF into buf; its length, or -1 on EOF, -2 on timeout. */
int cli_line(int fd, char *buf, size_t cap);
/* Read a line and assert it starts with `prefix`; returns the line (static). */
const char *cli_expect(int fd, const char *prefix);
/* Whether the server closes the connection within `ms` (reads are drained). */
bool cli_closed_within(int fd, int ms);
/* Monotonic milliseconds. */
uint64_t now_ms(void);

#endif
