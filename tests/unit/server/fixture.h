/*
 * The set-up most server runtime tests share: a loop with test settings,
 * the echo core (echo.h) on one listener on 127.0.0.1, run on its own
 * thread, and clients that connect and read the greeting. A test changes
 * `set` (and `cfg`) between fx_setup() and fx_start(), and reads the
 * counters with fx_stats() once the loop has stopped.
 */
#ifndef CORREU_TEST_FIXTURE_H
#define CORREU_TEST_FIXTURE_H

#include "echo.h"

typedef struct fixture {
	correu_server_settings set; /* test_settings() until fx_start() */
	echo_cfg cfg;
	correu_server *srv;         /* after fx_create() */
	uint32_t port;              /* after fx_start() */
	srv_thread st;
} fixture;

/* Test settings, an echo configuration of zeros. */
void fx_setup(fixture *f);
/* Create the loop from `set`, for what must come before listening. */
void fx_create(fixture *f);
/* Create the loop unless done, listen with the echo core (a listener
 * mode, CORREU_SERVER_LISTEN_* flags, a TLS configuration or NULL) and run
 * it on its thread. fx_start() is a plain listener without flags. */
void fx_serve(fixture *f, uint32_t mode, uint32_t flags, const correu_tls_config *tls);
void fx_start(fixture *f);
/* Connect and read the greeting; *greeting_out (unless NULL) is valid
 * until the next cli_expect(). */
int fx_connect(fixture *f, const char **greeting_out);
/* Stop with a 1 s grace unless stopped (asserting the loop returned 0). */
void fx_stop(fixture *f);
/* fx_stop(), then free the loop. */
void fx_end(fixture *f);
/* The loop's counters. */
correu_server_stats fx_stats(const fixture *f);

#endif
