/*
 * Firmware image of the SMTP client core (CI tooling, not part of the
 * library): a bare Cortex-M4 program that keeps every public function of
 * the sans-I/O SMTP client (smtp.h without the blocking session and the
 * server) alive, so that a --gc-sections link shows what a mail-sending
 * appliance really carries. .ci/firmware.sh links it twice, once as is and
 * once with -DCORREU_FIRMWARE_BASELINE, and reports the difference as
 * correu's share. Both versions keep the C library functions the core
 * calls, so that the difference holds correu's code only: firmware that
 * sends mail has malloc and snprintf anyway.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correu/smtp.h"

/* A function pointer the compiler must store, so every function named
 * below stays referenced and the linker keeps it and what it calls. */
typedef void (*any_fn)(void);

static void keep(any_fn volatile *sink, any_fn f)
{
	*sink = f;
}

int main(void)
{
	static any_fn volatile sink;

	/* The C library the core needs (see "needs from libc"). */
	keep(&sink, (any_fn)malloc);
	keep(&sink, (any_fn)realloc);
	keep(&sink, (any_fn)free);
	keep(&sink, (any_fn)memchr);
	keep(&sink, (any_fn)memcmp);
	keep(&sink, (any_fn)memcpy);
	keep(&sink, (any_fn)memmove);
	keep(&sink, (any_fn)memset);
	keep(&sink, (any_fn)strchr);
	keep(&sink, (any_fn)strlen);
	keep(&sink, (any_fn)snprintf);
	keep(&sink, (any_fn)vsnprintf);
#ifndef CORREU_FIRMWARE_BASELINE
	keep(&sink, (any_fn)correu_smtp_settings_init);
	keep(&sink, (any_fn)correu_smtp_client_new);
	keep(&sink, (any_fn)correu_smtp_client_free);
	keep(&sink, (any_fn)correu_smtp_client_recv);
	keep(&sink, (any_fn)correu_smtp_client_tick);
	keep(&sink, (any_fn)correu_smtp_client_eof);
	keep(&sink, (any_fn)correu_smtp_client_send_buf);
	keep(&sink, (any_fn)correu_smtp_client_send_ack);
	keep(&sink, (any_fn)correu_smtp_client_want_read);
	keep(&sink, (any_fn)correu_smtp_client_want_write);
	keep(&sink, (any_fn)correu_smtp_client_next_deadline);
	keep(&sink, (any_fn)correu_smtp_client_idle);
	keep(&sink, (any_fn)correu_smtp_client_error);
	keep(&sink, (any_fn)correu_smtp_client_tls_done);
	keep(&sink, (any_fn)correu_smtp_client_caps);
	keep(&sink, (any_fn)correu_smtp_client_max_size);
	keep(&sink, (any_fn)correu_smtp_client_auth_mechs);
	keep(&sink, (any_fn)correu_smtp_client_cap_count);
	keep(&sink, (any_fn)correu_smtp_client_cap_at);
	keep(&sink, (any_fn)correu_smtp_client_cap_find);
	keep(&sink, (any_fn)correu_smtp_client_is_tls);
	keep(&sink, (any_fn)correu_smtp_client_auth);
	keep(&sink, (any_fn)correu_smtp_client_mail);
	keep(&sink, (any_fn)correu_smtp_client_transaction);
	keep(&sink, (any_fn)correu_smtp_client_rcpt);
	keep(&sink, (any_fn)correu_smtp_client_data);
	keep(&sink, (any_fn)correu_smtp_client_body_ready);
	keep(&sink, (any_fn)correu_smtp_client_body);
	keep(&sink, (any_fn)correu_smtp_client_body_end);
	keep(&sink, (any_fn)correu_smtp_client_rset);
	keep(&sink, (any_fn)correu_smtp_client_noop);
	keep(&sink, (any_fn)correu_smtp_client_quit);
#endif
	return 0;
}
