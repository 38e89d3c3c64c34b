/* The SMTP client's transcript adapter (see smtp_adapter.h). */
#include "smtp_adapter.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_adapter.h"
#include "split.h"

CORREU__PROTO_CORE(smtp_core, correu_smtp_client, CORREU_SMTP_EV);

struct core {
	struct client_core base; /* first: the shared callbacks' view */
	correu_smtp_client *c;
	int transactions;
};

static const char *const cmd_names[] = { "?",    "GREETING", "EHLO", "HELO", "LHLO",
	                                 "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA",
	                                 "BDAT", "DATA_END", "RSET", "NOOP", "QUIT" };

void smtp_tctx_init(struct smtp_tctx *x)
{
	memset(x, 0, sizeof(*x));
	correu_smtp_settings_init(&x->set);
	strcpy(x->ehlo, "client.example");
	x->set.ehlo_name = x->ehlo;
}

int smtp_test_random(uint8_t *buf, size_t len, void *userdata)
{
	return client_test_random(buf, len, userdata);
}

static int on_event(const correu_smtp_event *ev, void *userdata)
{
	struct core *k = userdata;
	struct split_out o = { NULL, 0, 0 };

	split_out_printf(&o, "%s", "");
	switch (ev->type) {
	case CORREU_SMTP_EV_REPLY:
		cr_assert_eq(ev->version, CORREU_SMTP_EVENT_VERSION);
		split_out_printf(&o, "reply %s", cmd_names[ev->command < 15 ? ev->command : 0]);
		if (k->transactions && ev->transaction)
			split_out_printf(&o, " t%u", ev->transaction);
		split_out_printf(&o, " %u", ev->code);
		if (ev->status_class)
			split_out_printf(&o, " %u.%u.%u", ev->status_class, ev->status_subject,
			                 ev->status_detail);
		if (ev->command == CORREU_SMTP_CMD_RCPT || ev->command == CORREU_SMTP_CMD_DATA_END)
			split_out_printf(&o, " #%u", ev->index);
		split_out_printf(&o, " ");
		split_out_bytes(&o, (const uint8_t *)ev->text, ev->text_len);
		break;
	case CORREU_SMTP_EV_READY: split_out_printf(&o, "ready"); break;
	case CORREU_SMTP_EV_STARTTLS: split_out_printf(&o, "starttls"); break;
	case CORREU_SMTP_EV_BODY:
		split_out_printf(&o, "body");
		if (k->transactions)
			split_out_printf(&o, " t%u", ev->transaction);
		break;
	case CORREU_SMTP_EV_CLOSED: split_out_printf(&o, "closed"); break;
	case CORREU_SMTP_EV_ERROR:
		split_out_printf(&o, "error %s ", correu_err_name(ev->error));
		split_out_bytes(&o, (const uint8_t *)ev->text, ev->text_len);
		break;
	default: split_out_printf(&o, "event %u", ev->type);
	}
	transcript_event(k->base.t, "%s", o.text);
	free(o.text);
	return 0;
}

static int option(void *ctx, const char *line)
{
	static const uint32_t policies[4] = { CORREU_SMTP_TLS_NONE, CORREU_SMTP_TLS_OPPORTUNISTIC,
		                              CORREU_SMTP_TLS_REQUIRED, CORREU_SMTP_TLS_IMPLICIT };
	struct smtp_tctx *x = ctx;
	unsigned long v;

	if (client_policy_option(line, policies, &x->set.tls_policy))
		;
	else if (strcmp(line, "lmtp") == 0)
		x->set.flags |= CORREU_SMTP_LMTP;
	else if (strcmp(line, "no-pipelining") == 0)
		x->set.flags |= CORREU_SMTP_NO_PIPELINING;
	else if (strcmp(line, "chunking") == 0)
		x->set.flags |= CORREU_SMTP_PREFER_CHUNKING;
	else if (strcmp(line, "normalise") == 0)
		x->set.flags |= CORREU_SMTP_BODY_NORMALISE;
	else if (strcmp(line, "transactions") == 0)
		x->transactions = 1;
	else if (strcmp(line, "plaintext-auth") == 0)
		x->set.flags |= CORREU_SMTP_ALLOW_PLAINTEXT_AUTH;
	else if (sscanf(line, "max-line %lu", &v) == 1)
		x->set.max_line = v;
	else if (sscanf(line, "max-reply %lu", &v) == 1)
		x->set.max_reply = v;
	else if (sscanf(line, "max-output %lu", &v) == 1)
		x->set.max_output = v;
	else
		return -1;
	return 0;
}

static void *open_core(transcript *t, void *ctx)
{
	struct smtp_tctx *x = ctx;
	struct core *k = calloc(1, sizeof(*k));
	correu_smtp_settings s = x->set;

	cr_assert(k != NULL);
	k->transactions = x->transactions;
	s.on_event = on_event;
	s.event_userdata = k;
	s.allocator = x->alloc;
	cr_assert_eq(correu_smtp_client_new(&s, &k->c), 0);
	client_core_init(&k->base, &smtp_core, k->c, t);
	return k;
}

static void close_core(void *core)
{
	struct core *k = core;

	correu_smtp_client_free(k->c);
	free(k);
}

static int act_mail(struct core *k, char **w, size_t n)
{
	correu_smtp_mail_params p;
	const char *from = n > 0 && strcmp(w[0], "<>") != 0 ? w[0] : "";

	memset(&p, 0, sizeof(p));
	p.version = CORREU_SMTP_MAIL_PARAMS_VERSION;
	for (size_t i = 1; i < n; i++) {
		if (strncmp(w[i], "SIZE=", 5) == 0)
			p.size = strtoull(w[i] + 5, NULL, 10);
		else if (strcmp(w[i], "BODY=7BIT") == 0)
			p.body = CORREU_SMTP_BODY_7BIT;
		else if (strcmp(w[i], "BODY=8BITMIME") == 0)
			p.body = CORREU_SMTP_BODY_8BITMIME;
		else if (strcmp(w[i], "BODY=BINARYMIME") == 0)
			p.body = CORREU_SMTP_BODY_BINARYMIME;
		else if (strcmp(w[i], "SMTPUTF8") == 0)
			p.flags |= CORREU_SMTP_MAIL_SMTPUTF8;
		else if (strcmp(w[i], "REQUIRETLS") == 0)
			p.flags |= CORREU_SMTP_MAIL_REQUIRETLS;
		else if (strcmp(w[i], "RET=FULL") == 0)
			p.ret = CORREU_SMTP_RET_FULL;
		else if (strcmp(w[i], "RET=HDRS") == 0)
			p.ret = CORREU_SMTP_RET_HDRS;
		else if (strncmp(w[i], "ENVID=", 6) == 0) {
			p.envid = w[i] + 6;
			p.envid_len = strlen(p.envid);
		} else if (strncmp(w[i], "AUTH=", 5) == 0) {
			p.auth = w[i] + 5;
			p.auth_len = strlen(p.auth);
		} else
			cr_assert_fail("unknown mail parameter %s", w[i]);
	}
	return correu_smtp_client_mail(k->c, from, strlen(from), &p);
}

static int act_rcpt(struct core *k, char **w, size_t n)
{
	correu_smtp_rcpt_params p;

	cr_assert(n >= 1);
	memset(&p, 0, sizeof(p));
	p.version = CORREU_SMTP_RCPT_PARAMS_VERSION;
	for (size_t i = 1; i < n; i++) {
		if (strncmp(w[i], "NOTIFY=", 7) == 0) {
			char *s = w[i] + 7;

			p.notify |= strstr(s, "NEVER") ? CORREU_SMTP_NOTIFY_NEVER : 0;
			p.notify |= strstr(s, "SUCCESS") ? CORREU_SMTP_NOTIFY_SUCCESS : 0;
			p.notify |= strstr(s, "FAILURE") ? CORREU_SMTP_NOTIFY_FAILURE : 0;
			p.notify |= strstr(s, "DELAY") ? CORREU_SMTP_NOTIFY_DELAY : 0;
		} else if (strncmp(w[i], "ORCPT=", 6) == 0) {
			p.orcpt = w[i] + 6;
			p.orcpt_len = strlen(p.orcpt);
		} else
			cr_assert_fail("unknown rcpt parameter %s", w[i]);
	}
	return correu_smtp_client_rcpt(k->c, w[0], strlen(w[0]), &p);
}

static int act_body(struct core *k, transcript *t, const char *data, size_t len)
{
	int stalls = 0;

	while (len > 0) {
		correu_ssize n = correu_smtp_client_body(k->c, (const uint8_t *)data, len);

		if (n < 0)
			return (int)n;
		if (n == 0) {
			/* Back-pressure: the output is full; the wire drains it. */
			cr_assert(++stalls < 1000, "body made no progress");
			transcript_drain(t);
			continue;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int act_cap(struct core *k, transcript *t, char **w, size_t n)
{
	const char *params;
	size_t len;
	int rc;

	cr_assert(n == 1);
	rc = correu_smtp_client_cap_find(k->c, w[0], strlen(w[0]), &params, &len);
	if (rc == 0)
		transcript_event(t, "cap %s = %.*s", w[0], (int)len, params);
	return rc;
}

static int action(void *core, transcript *t, const char *verb, const char *args, size_t alen)
{
	struct core *k = core;
	struct client_words a;
	struct client_auth au;
	char **w;
	size_t n;
	int rc = CORREU_ERR_ARG; /* cr_assert_fail below does not return */

	if (strcmp(verb, "body") == 0)
		return act_body(k, t, args, alen);
	client_words_split(&a, args, alen);
	w = a.w;
	n = a.n;
	if (strcmp(verb, "mail") == 0)
		rc = act_mail(k, w, n);
	else if (strcmp(verb, "rcpt") == 0)
		rc = act_rcpt(k, w, n);
	else if (strcmp(verb, "data") == 0)
		rc = correu_smtp_client_data(k->c);
	else if (strcmp(verb, "end") == 0)
		rc = correu_smtp_client_body_end(k->c);
	else if (strcmp(verb, "auth") == 0) {
		client_auth_words(&au, &a);
		rc = correu_smtp_client_auth(k->c, au.mech, &au.cr, &au.ss);
	} else if (strcmp(verb, "tls") == 0)
		rc = correu_smtp_client_tls_done(k->c);
	else if (strcmp(verb, "rset") == 0)
		rc = correu_smtp_client_rset(k->c);
	else if (strcmp(verb, "noop") == 0)
		rc = correu_smtp_client_noop(k->c);
	else if (strcmp(verb, "quit") == 0)
		rc = correu_smtp_client_quit(k->c);
	else if (strcmp(verb, "eof") == 0)
		rc = correu_smtp_client_eof(k->c);
	else if (strcmp(verb, "cap") == 0)
		rc = act_cap(k, t, w, n);
	else if (strcmp(verb, "caps") == 0) {
		transcript_event(t, "caps 0x%x size %llu", correu_smtp_client_caps(k->c),
		                 (unsigned long long)correu_smtp_client_max_size(k->c));
		rc = 0;
	} else if (strcmp(verb, "mechs") == 0) {
		size_t ml;
		const char *m = correu_smtp_client_auth_mechs(k->c, &ml);

		transcript_event(t, "mechs %.*s", (int)ml, m ? m : "");
		rc = 0;
	} else if (strcmp(verb, "idle") == 0)
		rc = correu_smtp_client_idle(k->c) ? 0 : CORREU_ERR_STATE;
	else
		cr_assert_fail("unknown action %s", verb);
	client_words_free(&a);
	return rc;
}

const struct transcript_ops smtp_transcript_ops = {
	option, open_core, close_core, client_core_recv, client_core_send_buf, client_core_send_ack,
	action,
};
