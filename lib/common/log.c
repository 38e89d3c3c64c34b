/*
 * The log hook (common layer): messages are formatted here, once, so the
 * public callback takes a plain (msg, len) and needs no varargs.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

void correu__log(const correu_logger *lg, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	if (!lg || !lg->fn || level < 0 || (uint32_t)level > lg->max_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1; /* truncated, still delivered */
	lg->fn(level, msg, (size_t)n, lg->userdata);
}
