/*
 * The test message and clock of the SMTP sending benchmarks (bench/): see
 * bench_smtp_msg.h.
 */
#include "bench_smtp_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *bench_message(size_t size)
{
	static const char head[] = "From: bench@localhost\r\nTo: sink@localhost\r\n"
	                           "Subject: correu SMTP benchmark\r\n"
	                           "Message-ID: <bench@localhost>\r\n\r\n";
	char *m;
	size_t at = sizeof(head) - 1;

	if (size < 256 || !(m = malloc(size)))
		return NULL;
	memcpy(m, head, at);
	/* Body lines of 76 letters and CRLF; the last one takes what is left,
	 * 1 to 78 letters (size >= 256 leaves more than 80 bytes at first). */
	while (at < size) {
		size_t n = size - at > 80 ? 76 : size - at - 2;

		memset(m + at, 'a' + (int)(at % 26), n);
		m[at + n] = '\r';
		m[at + n + 1] = '\n';
		at += n + 2;
	}
	return m;
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned long bench_arg(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0) {
		fprintf(stderr, "bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}
