/*
 * Drive two non-blocking transports against each other in one thread: run
 * both handshakes to the end, or move a message across, calling each side
 * in turn until neither can make progress.
 */
#ifndef CORREU_TEST_PUMP_H
#define CORREU_TEST_PUMP_H

#include "correu/transport.h"

/* Run both handshakes until each is done or fails; results in rc_a and rc_b. */
void pump_handshake(correu_transport *a, correu_transport *b, int *rc_a, int *rc_b);

/* Send `len` bytes from `from` and read them at `to`, asserting they arrive
 * intact, whatever partial reads and writes happen on the way. */
void pump_transfer(correu_transport *from, correu_transport *to, const void *data, size_t len);

/* A TLS client and server config: the server presents `cert`/`key`, the
 * client trusts `ca` (both PEM). Asserts success. */
void tls_configs(const char *ca, const char *cert, const char *key,
                 correu_tls_config **client, correu_tls_config **server);

#endif
