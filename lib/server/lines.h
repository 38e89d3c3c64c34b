/*
 * Command-line input of a server core (server layer, internal; used by the
 * SMTP and POP3 server cores): one buffer and two line decoders over it,
 * one with the command-line limit and one with the longer AUTH-response
 * limit (RFC 4954 section 4 and RFC 5034 section 4 let a SASL response
 * exceed the command line). A line is always complete before a session
 * switches between commands and AUTH responses, so the two never hold
 * bytes at once and one buffer serves both. Nothing here is exported.
 */
#ifndef CORREU_SERVER_LINES_H
#define CORREU_SERVER_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "correu/codec.h"
#include "internal.h"

typedef struct correu__server_lines {
	uint8_t *buf; /* shared by both decoders; may hold a password */
	size_t buf_len;
	void *cmd_mem, *auth_mem;
	correu_line_decoder *cmd;  /* command lines */
	correu_line_decoder *auth; /* AUTH responses */
} correu__server_lines;

/*
 * Allocate and set up both decoders. `max_line` and `max_auth_line` are
 * the settings' limits, CRLF included (at least 3 each); `flags` are
 * CORREU_LINE_* decoder flags for both. Returns 0 or CORREU_ERR_NOMEM;
 * on failure correu__server_lines_free() still releases what was made.
 */
int correu__server_lines_init(correu__server_lines *l, const correu_allocator *a, size_t max_line,
                              size_t max_auth_line, uint32_t flags);

/* Forget any partial line in either decoder (after STARTTLS/STLS, RFC
 * 3207 section 4.2, RFC 2595 section 4: nothing read in plaintext carries
 * over). */
void correu__server_lines_reset(correu__server_lines *l);

/* Wipe the buffer (an AUTH response or PASS line may have held a secret)
 * and free everything; a zeroed struct is a no-op. */
void correu__server_lines_free(correu__server_lines *l, const correu_allocator *a);

#endif
