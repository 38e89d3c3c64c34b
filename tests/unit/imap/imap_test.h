/*
 * Test harness for the IMAP response parser: runs server bytes through
 * split_check() and records every event as one canonical text line, with
 * the pieces of a streamed literal joined, so that any split of the input
 * must give the same text. Scripts in tests/data/imap/ list server bytes
 * and the exact events expected.
 */
#ifndef CORREU_TEST_IMAP_H
#define CORREU_TEST_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "correu/imap.h"

/* The events of `in` (every split checked), one line each; caller frees. */
char *imap_events(const correu_imap_parser_settings *s, const uint8_t *in, size_t len);

/* Assert that `in` (C string, fed as is) gives exactly the lines of `want`
 * (each line ending with "\n"). */
void imap_expect(const correu_imap_parser_settings *s, const char *in, const char *want);

/*
 * Run a script: "S: text" (server sends text CRLF), "S- text" (without
 * CRLF), "E: event" (the next event line, exactly), "@ option value"
 * (utf8, normalise, max_line, max_response, max_inline_literal,
 * max_literal, max_chunk, max_depth, max_list), "#" comments. Text may
 * hold \r, \n, \t, \\ and \xHH escapes; any other backslash is itself.
 * With IMAP_TEST_DUMP=file in the environment the events the parser
 * reported are also written to that file, for review.
 */
void imap_run_file(const char *name);

/* Settings with the test callback's defaults (fill, then adjust). */
void imap_settings(correu_imap_parser_settings *s);

#endif
