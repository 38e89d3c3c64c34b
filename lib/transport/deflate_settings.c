/*
 * The deflate filter's settings (transport layer): the defaults, shared by
 * the zlib filter (deflate.c) and its stub (deflate_none.c), so a program
 * can fill its settings the same way whether or not zlib is built in.
 */
#include <string.h>

#include "correu/compress.h"

void correu_deflate_settings_init(correu_deflate_settings *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_DEFLATE_SETTINGS_VERSION;
	s->level = 6;
	s->window_bits = 15;
	s->mem_level = 8;
	s->buffer_size = 16384;
}
