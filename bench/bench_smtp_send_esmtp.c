/*
 * SMTP sending benchmark, the libESMTP baseline (bench/): COUNT messages of
 * SIZE bytes queued on one libESMTP session, which sends them all over one
 * connection with PIPELINING, as correu's bench_smtp_send does.
 *
 *   bench_smtp_send_esmtp HOST PORT COUNT SIZE
 */
#include <stddef.h> /* libesmtp.h uses size_t without including it */
#include <stdio.h>
#include <stdlib.h>

#include <libesmtp.h>

#include "bench_smtp_msg.h"

struct body {
	const char *msg;
	int size;
};

/* libESMTP's message callback: len NULL means rewind; then the whole
 * message in one piece, then NULL for the end. libESMTP frees *ctx with
 * the message, so the "already sent" mark must be heap memory. */
static const char *give(void **ctx, int *len, void *arg)
{
	const struct body *b = arg;
	int *sent = *ctx;

	if (!sent) {
		sent = calloc(1, sizeof(*sent));
		if (!sent)
			return NULL;
		*ctx = sent;
	}
	if (!len) {
		*sent = 0;
		return NULL;
	}
	if (*sent) {
		*len = 0;
		return NULL;
	}
	*sent = 1;
	*len = b->size;
	return b->msg;
}

int main(int argc, char **argv)
{
	smtp_session_t session;
	unsigned long count, size, ok = 0;
	struct body b;
	char server[300];
	smtp_message_t *msgs;
	double t0, t;

	if (argc != 5) {
		fputs("usage: bench_smtp_send_esmtp HOST PORT COUNT SIZE\n", stderr);
		return 2;
	}
	count = bench_arg(argv[3], "count");
	size = bench_arg(argv[4], "size");
	b.msg = bench_message(size);
	b.size = (int)size;
	msgs = calloc(count, sizeof(*msgs));
	if (!b.msg || !msgs)
		return 1;
	snprintf(server, sizeof(server), "%s:%s", argv[1], argv[2]);

	t0 = bench_now();
	session = smtp_create_session();
	if (!session || !smtp_set_server(session, server))
		return 1;
	for (unsigned long i = 0; i < count; i++) {
		msgs[i] = smtp_add_message(session);
		if (!msgs[i] || !smtp_set_reverse_path(msgs[i], "bench@localhost") ||
		    !smtp_add_recipient(msgs[i], "sink@localhost") ||
		    !smtp_set_messagecb(msgs[i], give, &b))
			return 1;
	}
	if (!smtp_start_session(session)) {
		char err[128];

		fprintf(stderr, "libesmtp: %s\n", smtp_strerror(smtp_errno(), err, sizeof(err)));
		return 1;
	}
	for (unsigned long i = 0; i < count; i++) {
		const smtp_status_t *st = smtp_message_transfer_status(msgs[i]);

		ok += st && st->code == 250;
	}
	smtp_destroy_session(session);
	t = bench_now() - t0;
	if (ok != count) {
		fprintf(stderr, "libesmtp: only %lu of %lu messages accepted\n", ok, count);
		return 1;
	}
	printf("rate libesmtp %lu %.3f %.0f\n", count, t, (double)count / t);
	free(msgs);
	free((void *)b.msg);
	return 0;
}
