/*
 * Shared by the SMTP sending benchmarks (bench/): the test message and a
 * monotonic clock, so that correu, libESMTP and libcurl send the very same
 * bytes and are timed the same way.
 */
#ifndef BENCH_SMTP_MSG_H
#define BENCH_SMTP_MSG_H

#include <stddef.h>

/* A message of exactly `size` bytes (>= 256): a few headers, then 78-column
 * CRLF lines. Returns a malloc'd buffer, or NULL. */
char *bench_message(size_t size);
/* Seconds on a monotonic clock. */
double bench_now(void);
/* Parse "HOST PORT COUNT" style arguments: a positive integer, or exit(2). */
unsigned long bench_arg(const char *s, const char *what);

#endif
