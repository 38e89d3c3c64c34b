/*
 * What the POP3 and IMAP interop drivers (tests/interop, test tooling over
 * the blocking sessions) share: their common options --host, --port,
 * --user, --tls none|starttls|implicit, --ca-file and, where a driver
 * offers it, --allow-plaintext-auth; the usage line that names them; and
 * the logger that copies the library's log lines to standard error, where
 * the tests read which login method was chosen.
 */
#ifndef CORREU_INTEROP_DRIVER_ARGS_H
#define CORREU_INTEROP_DRIVER_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct driver_args {
	const char *host, *ca_file, *user; /* borrowed from argv */
	uint16_t port;
	bool implicit;       /* --tls implicit: TLS from the first byte */
	bool no_tls;         /* --tls none: plaintext allowed */
	bool plaintext_auth; /* --allow-plaintext-auth */
};

/* Parse the options; `plaintext_ok` says whether --allow-plaintext-auth
 * is one. 0 with optind at the first command (there must be one), or -1. */
int driver_args_parse(int argc, char **argv, bool plaintext_ok, struct driver_args *a);

/* Print the usage of driver `name` and return 2, the exit status. */
int driver_usage(const char *name, bool plaintext_ok);

/* A correu_logger callback: the line to standard error. */
void driver_log_line(int level, const char *msg, size_t len, void *userdata);

#endif
