/*
 * Shared helpers of the MIME layer tests: drive the parser through
 * split_check() and describe a parsed message as canonical text (part
 * table with sections, ranges and counts, then BODYSTRUCTURE and ENVELOPE),
 * so every split of the input is compared on everything it produced.
 */
#ifndef CORREU_TEST_MIME_HARNESS_H
#define CORREU_TEST_MIME_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "correu/mime.h"
#include "split.h"

struct mime_ctx {
	const correu_mime_settings *settings; /* NULL: defaults */
	correu_mime_parser *p;
	correu_mime_message *last; /* message of the last finished run */
};

extern const struct split_ops mime_split_ops;

/* Parse every split of a message (split_check); returns the canonical text
 * (free()); ctx->last keeps the message of the last run. */
char *mime_check(struct mime_ctx *ctx, const char *msg, size_t len);
void mime_ctx_done(struct mime_ctx *ctx);

/* IMAP text of a message as a NUL-terminated heap string (free()). */
char *mime_imap(const correu_mime_message *m, uint32_t part, uint32_t what, uint32_t flags);
/* The bytes of a section as a heap string, or NULL when it is not found. */
char *mime_section(const correu_mime_message *m, const char *msg, const char *section);
/* Parse once, whole. */
correu_mime_message *mime_parse(const char *msg, size_t len, const correu_mime_settings *s);
/* Read tests/data/mime/<name>; *len receives the size. */
char *mime_load(const char *name, size_t *len);

#endif
