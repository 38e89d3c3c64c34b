/* A server core's session driven as the runtime would (see core_drive.h). */
#include "core_drive.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

void cd_open(struct core_drive *d, const correu_server_core *core, const correu_server_peer *peer,
             void *userdata, struct memback *mb, transcript *t)
{
	memset(d, 0, sizeof(*d));
	d->core = core;
	d->mb = mb;
	d->t = t;
	d->now = 1000;
	cr_assert_eq(core->open(peer, NULL, &d->sess, userdata), 0);
}

void cd_close(struct core_drive *d)
{
	d->core->close(d->sess);
	free(d->in);
	d->in = NULL;
	d->in_len = 0;
	/* A request the core gave up on is still the backend's to finish. */
	memback_run(d->mb);
}

void cd_feed(struct core_drive *d, const uint8_t *p, size_t n)
{
	d->in = realloc(d->in, d->in_len + n);
	cr_assert(d->in != NULL);
	memcpy(d->in + d->in_len, p, n);
	d->in_len += n;
}

int cd_pump(struct core_drive *d)
{
	for (;;) {
		int w = d->core->want(d->sess);
		int n = 0;

		if ((w & CORREU_SERVER_WANT_READ) && d->in_len > 0) {
			n = d->core->recv(d->in, d->in_len, d->now, d->sess);
			if (n < 0)
				return n;
			cr_assert_leq((size_t)n, d->in_len);
			memmove(d->in, d->in + n, d->in_len - (size_t)n);
			d->in_len -= (size_t)n;
		}
		/* Nothing taken: the core waits, perhaps for the backend. */
		if (n == 0 && !(d->mb->queued && memback_run(d->mb)))
			return 0;
	}
}

int cd_pump_note(struct core_drive *d)
{
	int rc = cd_pump(d);
	int w = d->core->want(d->sess);

	if ((w & CORREU_SERVER_WANT_CLOSE) && !d->said_close) {
		d->said_close = true;
		transcript_event(d->t, "close");
	}
	if ((w & CORREU_SERVER_WANT_STARTTLS) && !d->said_tls) {
		d->said_tls = true;
		transcript_event(d->t, "starttls");
	}
	return rc;
}

const uint8_t *cd_send_buf(struct core_drive *d, size_t *len)
{
	const uint8_t *p = NULL;

	cr_assert_eq(d->core->send_buf(&p, len, d->sess), 0);
	return p;
}

void cd_send_ack(struct core_drive *d, size_t n)
{
	cr_assert_eq(d->core->send_ack(n, d->sess), 0);
}

int cd_event(struct core_drive *d, uint32_t ev, uint64_t arg)
{
	int rc = d->core->event(ev, arg, d->now, d->sess);

	return rc < 0 ? rc : cd_pump_note(d);
}

/* The upgrade: bytes sent after the go-ahead were kept until now, and are
 * the runtime's to drop (RFC 3207 section 4.2, RFC 2595 section 4). */
static int tls_started(struct core_drive *d)
{
	uint64_t dropped = d->in_len;

	if (!(d->core->want(d->sess) & CORREU_SERVER_WANT_STARTTLS))
		return CORREU_ERR_STATE;
	d->in_len = 0;
	d->said_tls = false;
	transcript_event(d->t, "tls dropped %llu", (unsigned long long)dropped);
	return cd_event(d, CORREU_SERVER_EV_TLS_STARTED, dropped);
}

int cd_action(struct core_drive *d, const char *verb, const char *args)
{
	uint64_t deadline = UINT64_MAX;

	if (!strcmp(verb, "tls"))
		return tls_started(d);
	if (!strcmp(verb, "eof"))
		return cd_event(d, CORREU_SERVER_EV_PEER_CLOSED, 0);
	if (!strcmp(verb, "idle"))
		return cd_event(d, CORREU_SERVER_EV_IDLE, 0);
	if (!strcmp(verb, "shutdown"))
		return cd_event(d, CORREU_SERVER_EV_SHUTDOWN, 30000);
	if (!strcmp(verb, "time")) {
		d->now += strtoull(args, NULL, 10);
		cr_assert_eq(d->core->next_deadline(&deadline, d->sess), 0);
		transcript_event(d->t, "deadline %s", deadline <= d->now ? "passed" : "ahead");
		return deadline <= d->now ? cd_event(d, CORREU_SERVER_EV_TIMER, 0)
		                          : cd_pump_note(d);
	}
	if (!strcmp(verb, "want")) {
		transcript_event(d->t, "want %d", d->core->want(d->sess));
		return 0;
	}
	return CORREU_ERR_ARG;
}
