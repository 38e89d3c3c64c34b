/*
 * The message sink of the POP3 and IMAP interop drivers (tests/interop,
 * test tooling over the blocking sessions): a session's data callback that
 * writes a fetched message to a file and counts its bytes, so the driver
 * can print the size and the test compare the file with what the server
 * holds.
 */
#ifndef CORREU_INTEROP_DRIVER_SINK_H
#define CORREU_INTEROP_DRIVER_SINK_H

#include <stddef.h>
#include <stdint.h>

struct driver_sink {
	int fd;               /* where the bytes go (the caller opens and closes it) */
	unsigned long long n; /* bytes written so far */
};

/* The data callback: userdata is a struct driver_sink. 0, or
 * CORREU_ERR_IO when the write falls short. */
int driver_sink_write(const uint8_t *data, size_t len, void *userdata);

#endif
