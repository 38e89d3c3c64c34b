/*
 * The output and the clock of a client core (proto layer, core level):
 * what the SMTP, POP3 and IMAP clients' send_buf, send_ack, recv, tick and
 * next_deadline do alike. The driver writes what send_buf shows and says
 * how much went; the core forgets it and wipes it, since command lines
 * (PASS, LOGIN, AUTH) can carry a password.
 */
#include "proto_client.h"

const uint8_t *correu__proto_out_peek(const correu__buf *out, size_t *len_out)
{
	if (len_out)
		*len_out = 0;
	if (!out || !len_out || out->len == 0)
		return NULL;
	*len_out = out->len;
	return out->data;
}

int correu__proto_out_ack(correu__buf *out, size_t n)
{
	if (!out || n > out->len)
		return CORREU_ERR_ARG;
	if (n == 0)
		return 0;
	correu__buf_consume(out, n);
	correu_wipe(out->data + out->len, n);
	return 1;
}

void correu__proto_timer_at(correu__proto_timer *t, uint64_t now)
{
	if (t->progress) {
		t->base_ms = now;
		t->progress = false;
	}
}

uint64_t correu__proto_after(uint64_t base_ms, uint64_t timeout_ms)
{
	return base_ms > UINT64_MAX - timeout_ms ? UINT64_MAX : base_ms + timeout_ms;
}
