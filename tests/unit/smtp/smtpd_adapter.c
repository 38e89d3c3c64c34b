/* The SMTP server core's transcript adapter (see smtpd_adapter.h). */
#include "smtpd_adapter.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_adapter.h"
#include "split.h"

struct run {
	struct smtpd_tctx *x;
	transcript *t;
	struct memback mb;
	correu_store *store;
	correu_smtp_service *svc;
	const correu_server_core *core;
	void *sess;
	uint8_t *in; /* input the core has not taken, as the runtime keeps it */
	size_t in_len;
	uint64_t now;
	int dead;
	bool said_close, said_tls;
};

static int fixed_clock(int64_t *secs_out, void *userdata)
{
	(void)userdata;
	*secs_out = SMTPD_TEST_TIME;
	return 0;
}

void smtpd_tctx_init(struct smtpd_tctx *x)
{
	memset(x, 0, sizeof(*x));
	cr_assert_eq(correu_smtp_server_settings_init(&x->set), 0);
	x->set.hostname = "mx.example";
	x->set.clock = fixed_clock;
	x->set.random = smtp_test_random;
	x->set.error_delay_ms = 1;
	x->set.error_delay_after = 1000;
	x->peer_flags = CORREU_SERVER_PEER_STARTTLS;
	snprintf(x->addr, sizeof(x->addr), "192.0.2.1");
}

/* The CORREU_ERR_* code called CORREU_ERR_<name>, or 0. */
static int error_code(const char *name)
{
	char full[64];

	snprintf(full, sizeof(full), "CORREU_ERR_%s", name);
	for (int code = -1; code > -200; code--)
		if (!strcmp(correu_err_name(code), full))
			return code;
	return 0;
}

static int option(void *ctx, const char *line)
{
	struct smtpd_tctx *x = ctx;
	char name[32];
	unsigned long v = 0;
	char arg[64] = "";

	if (sscanf(line, "%31s %63s", name, arg) < 1)
		return -1;
	v = strtoul(arg, NULL, 10);
	if (!strcmp(name, "mode")) {
		x->set.mode = !strcmp(arg, "submission") ? CORREU_SMTP_SERVER_SUBMISSION
		              : !strcmp(arg, "lmtp")     ? CORREU_SMTP_SERVER_LMTP
		                                         : CORREU_SMTP_SERVER_MX;
	} else if (!strcmp(name, "tls")) {
		x->peer_flags = CORREU_SERVER_PEER_TLS;
	} else if (!strcmp(name, "plain")) {
		x->peer_flags = 0;
	} else if (!strcmp(name, "normalise")) {
		x->set.flags |= CORREU_SMTP_SERVER_NORMALISE;
	} else if (!strcmp(name, "plaintext_auth")) {
		x->set.flags |= CORREU_SMTP_SERVER_PLAINTEXT_AUTH;
	} else if (!strcmp(name, "auth_error")) {
		/* The store cannot check passwords: "IO", "BUSY", ... */
		x->auth_error = error_code(arg);
		if (x->auth_error == 0)
			return -1;
	} else if (!strcmp(name, "no_random")) {
		/* No SCRAM offered: the script reads the same in every build. */
		x->set.random = NULL;
	} else if (!strcmp(name, "no_vrfy")) {
		x->set.flags |= CORREU_SMTP_SERVER_NO_VRFY;
	} else if (!strcmp(name, "later")) {
		x->later = true;
	} else if (!strcmp(name, "max_rcpts")) {
		x->set.max_rcpts = (uint32_t)v;
	} else if (!strcmp(name, "max_errors")) {
		x->set.max_errors = (uint32_t)v;
	} else if (!strcmp(name, "error_delay_after")) {
		x->set.error_delay_after = (uint32_t)v;
		x->set.error_delay_ms = 5000;
	} else if (!strcmp(name, "max_line")) {
		x->set.max_line = (uint32_t)v;
	} else if (!strcmp(name, "max_auth_line")) {
		x->set.max_auth_line = (uint32_t)v;
	} else if (!strcmp(name, "max_message")) {
		x->set.max_message = v;
	} else if (!strcmp(name, "max_body_line")) {
		x->set.max_body_line = (uint32_t)v;
	} else if (!strcmp(name, "max_transactions")) {
		x->set.max_transactions = (uint32_t)v;
	} else if (!strcmp(name, "max_chunk")) {
		x->set.max_chunk = (uint32_t)v;
	} else if (!strcmp(name, "xclient")) {
		snprintf(x->xclient, sizeof(x->xclient), "%s", arg);
	} else if (!strcmp(name, "addr")) {
		snprintf(x->addr, sizeof(x->addr), "%s", arg);
	} else {
		return -1;
	}
	return 0;
}

static void note_wants(struct run *r)
{
	int w = r->core->want(r->sess);

	if ((w & CORREU_SERVER_WANT_CLOSE) && !r->said_close) {
		r->said_close = true;
		transcript_event(r->t, "close");
	}
	if ((w & CORREU_SERVER_WANT_STARTTLS) && !r->said_tls) {
		r->said_tls = true;
		transcript_event(r->t, "starttls");
	}
}

/* What the runtime does between two turns of its loop: offer the input
 * while the core wants it, one command at a time; with "@ later", answer
 * the backend once the core waits for it. */
static int pump(struct run *r)
{
	for (;;) {
		int w = r->core->want(r->sess);
		int n;

		if (!(w & CORREU_SERVER_WANT_READ) || r->in_len == 0) {
			if (r->mb.queued && memback_run(&r->mb))
				continue;
			break;
		}
		n = r->core->recv(r->in, r->in_len, r->now, r->sess);
		if (n < 0)
			return n;
		cr_assert_leq((size_t)n, r->in_len);
		if (n == 0) {
			if (r->mb.queued && memback_run(&r->mb))
				continue;
			break;
		}
		memmove(r->in, r->in + n, r->in_len - (size_t)n);
		r->in_len -= (size_t)n;
	}
	note_wants(r);
	return 0;
}

static void *open_core(transcript *t, void *ctx)
{
	struct smtpd_tctx *x = ctx;
	struct run *r = calloc(1, sizeof(*r));
	correu_server_peer peer = { .version = CORREU_SERVER_PEER_VERSION };

	cr_assert(r != NULL);
	r->x = x;
	r->t = t;
	r->now = 1000;
	if (!x->have_proto) {
		memback_init(&x->proto);
		x->have_proto = true;
	}
	r->mb = x->proto;
	r->mb.later = x->later;
	r->mb.auth_error = x->auth_error;
	cr_assert_eq(correu_store_new(memback_table(), &r->mb, NULL, x->alloc, &r->store), 0);
	cr_assert_eq(correu_smtp_service_new(&x->set, r->store, x->alloc, &r->svc), 0);
	if (x->xclient[0])
		cr_assert_eq(correu_smtp_service_trust_xclient(r->svc, x->xclient), 0);
	r->core = correu_smtp_server_core();
	peer.flags = x->peer_flags;
	peer.conn_id = 1;
	peer.addr = x->addr;
	peer.port = 40000;
	peer.local_addr = "192.0.2.25";
	peer.local_port = 25;
	cr_assert_eq(r->core->open(&peer, NULL, &r->sess, r->svc), 0);
	return r;
}

static void close_core(void *core)
{
	struct run *r = core;

	r->core->close(r->sess);
	/* A request the core gave up on is still the backend's to finish. */
	memback_run(&r->mb);
	cr_assert_eq(correu_store_live_requests(r->store), 0, "requests left behind");
	cr_assert_eq(r->mb.deliveries_open, 0, "a delivery was left open");
	correu_smtp_service_free(r->svc);
	correu_store_free(r->store);
	free(r->in);
	free(r);
}

static int recv_bytes(void *core, const uint8_t *p, size_t n)
{
	struct run *r = core;

	r->in = realloc(r->in, r->in_len + n);
	cr_assert(r->in != NULL);
	memcpy(r->in + r->in_len, p, n);
	r->in_len += n;
	/* Bytes sent after the STARTTLS go-ahead are the runtime's to drop;
	 * they stay here until the "tls" action. */
	return pump(r);
}

static const uint8_t *send_buf(void *core, size_t *len)
{
	struct run *r = core;
	const uint8_t *p = NULL;

	cr_assert_eq(r->core->send_buf(&p, len, r->sess), 0);
	return p;
}

static void send_ack(void *core, size_t n)
{
	struct run *r = core;

	cr_assert_eq(r->core->send_ack(n, r->sess), 0);
}

static int event(struct run *r, uint32_t ev, uint64_t arg)
{
	int rc = r->core->event(ev, arg, r->now, r->sess);

	return rc < 0 ? rc : pump(r);
}

static void log_delivered(struct run *r)
{
	for (size_t i = 0; i < r->mb.ndelivered; i++) {
		struct split_out o = { NULL, 0, 0 };

		split_out_printf(&o, "delivered %zu ", i);
		split_out_bytes(&o, (const uint8_t *)r->mb.delivered[i],
		                strlen(r->mb.delivered[i]));
		transcript_event(r->t, "%s", o.text);
		free(o.text);
	}
	transcript_event(r->t, "delivered total %zu", r->mb.ndelivered);
}

static int action(void *core, transcript *t, const char *verb, const char *args, size_t args_len)
{
	struct run *r = core;
	uint64_t deadline = UINT64_MAX;

	(void)t;
	(void)args_len;
	if (!strcmp(verb, "tls")) {
		uint64_t dropped = r->in_len;

		if (!(r->core->want(r->sess) & CORREU_SERVER_WANT_STARTTLS))
			return CORREU_ERR_STATE;
		r->in_len = 0;
		r->said_tls = false;
		transcript_event(t, "tls dropped %llu", (unsigned long long)dropped);
		return event(r, CORREU_SERVER_EV_TLS_STARTED, dropped);
	}
	if (!strcmp(verb, "eof"))
		return event(r, CORREU_SERVER_EV_PEER_CLOSED, 0);
	if (!strcmp(verb, "idle"))
		return event(r, CORREU_SERVER_EV_IDLE, 0);
	if (!strcmp(verb, "shutdown"))
		return event(r, CORREU_SERVER_EV_SHUTDOWN, 30000);
	if (!strcmp(verb, "time")) {
		r->now += strtoull(args, NULL, 10);
		cr_assert_eq(r->core->next_deadline(&deadline, r->sess), 0);
		transcript_event(t, "deadline %s", deadline <= r->now ? "passed" : "ahead");
		return deadline <= r->now ? event(r, CORREU_SERVER_EV_TIMER, 0) : pump(r);
	}
	if (!strcmp(verb, "delivered")) {
		log_delivered(r);
		return 0;
	}
	if (!strcmp(verb, "envelope")) {
		transcript_event(t, "envelope %s", r->mb.envelope);
		return 0;
	}
	if (!strcmp(verb, "open")) {
		transcript_event(t, "open deliveries %ld", r->mb.deliveries_open);
		return 0;
	}
	if (!strcmp(verb, "want")) {
		transcript_event(t, "want %d", r->core->want(r->sess));
		return 0;
	}
	return CORREU_ERR_ARG;
}

const struct transcript_ops smtpd_transcript_ops = {
	option, open_core, close_core, recv_bytes, send_buf, send_ack, action,
};

void smtpd_run(struct smtpd_tctx *x, const char *dir, const char *name)
{
	transcript_run_file_roles(&smtpd_transcript_ops, x, dir, name, "CS");
}
