/* The SMTP server core's transcript adapter (see smtpd_adapter.h). */
#include "smtpd_adapter.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_drive.h"
#include "smtp_adapter.h"
#include "split.h"

struct run {
	struct smtpd_tctx *x;
	transcript *t;
	struct memback mb;
	correu_store *store;
	correu_smtp_service *svc;
	struct core_drive d; /* the session, as the runtime drives it */
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

static void *open_core(transcript *t, void *ctx)
{
	struct smtpd_tctx *x = ctx;
	struct run *r = calloc(1, sizeof(*r));
	correu_server_peer peer = { .version = CORREU_SERVER_PEER_VERSION };

	cr_assert(r != NULL);
	r->x = x;
	r->t = t;
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
	peer.flags = x->peer_flags;
	peer.conn_id = 1;
	peer.addr = x->addr;
	peer.port = 40000;
	peer.local_addr = "192.0.2.25";
	peer.local_port = 25;
	cd_open(&r->d, correu_smtp_server_core(), &peer, r->svc, &r->mb, t);
	return r;
}

static void close_core(void *core)
{
	struct run *r = core;

	cd_close(&r->d);
	cr_assert_eq(correu_store_live_requests(r->store), 0, "requests left behind");
	cr_assert_eq(r->mb.deliveries_open, 0, "a delivery was left open");
	correu_smtp_service_free(r->svc);
	correu_store_free(r->store);
	free(r);
}

static int recv_bytes(void *core, const uint8_t *p, size_t n)
{
	struct run *r = core;

	/* Bytes sent after the STARTTLS go-ahead are the runtime's to drop;
	 * they stay kept until the "tls" action. */
	cd_feed(&r->d, p, n);
	return cd_pump_note(&r->d);
}

static const uint8_t *send_buf(void *core, size_t *len)
{
	return cd_send_buf(&((struct run *)core)->d, len);
}

static void send_ack(void *core, size_t n)
{
	cd_send_ack(&((struct run *)core)->d, n);
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

	(void)args_len;
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
	return cd_action(&r->d, verb, args);
}

const struct transcript_ops smtpd_transcript_ops = {
	option, open_core, close_core, recv_bytes, send_buf, send_ack, action,
};

void smtpd_run(struct smtpd_tctx *x, const char *dir, const char *name)
{
	transcript_run_file_roles(&smtpd_transcript_ops, x, dir, name, "CS");
}
