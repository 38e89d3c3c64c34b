/* The SMTP client's transcript adapter (see smtp_adapter.h). */
#include "smtp_adapter.h"

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "split.h"

struct core {
	correu_smtp_client *c;
	transcript *t;
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
	(void)userdata;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 37u + 11u);
	return 0;
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
	transcript_event(k->t, "%s", o.text);
	free(o.text);
	return 0;
}

static int option(void *ctx, const char *line)
{
	struct smtp_tctx *x = ctx;
	unsigned long v;

	if (strcmp(line, "policy none") == 0)
		x->set.tls_policy = CORREU_SMTP_TLS_NONE;
	else if (strcmp(line, "policy opportunistic") == 0)
		x->set.tls_policy = CORREU_SMTP_TLS_OPPORTUNISTIC;
	else if (strcmp(line, "policy required") == 0)
		x->set.tls_policy = CORREU_SMTP_TLS_REQUIRED;
	else if (strcmp(line, "policy implicit") == 0)
		x->set.tls_policy = CORREU_SMTP_TLS_IMPLICIT;
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
	k->t = t;
	k->transactions = x->transactions;
	s.on_event = on_event;
	s.event_userdata = k;
	s.allocator = x->alloc;
	cr_assert_eq(correu_smtp_client_new(&s, &k->c), 0);
	return k;
}

static void close_core(void *core)
{
	struct core *k = core;

	correu_smtp_client_free(k->c);
	free(k);
}

static int recv_bytes(void *core, const uint8_t *p, size_t n)
{
	struct core *k = core;
	correu_ssize rc = correu_smtp_client_recv(k->c, p, n, 1000);

	cr_assert(rc < 0 || (size_t)rc == n, "recv consumed %td of %zu", rc, n);
	return rc < 0 ? (int)rc : 0;
}

static const uint8_t *send_buf(void *core, size_t *len)
{
	return correu_smtp_client_send_buf(((struct core *)core)->c, len);
}

static void send_ack(void *core, size_t n)
{
	cr_assert_eq(correu_smtp_client_send_ack(((struct core *)core)->c, n), 0);
}

/* Split args at spaces outside double quotes into words (args are
 * modified), so that a quoted local part may hold a space. */
static size_t words(char *args, char **w, size_t max)
{
	size_t n = 0;
	bool quoted = false;
	char *p = args;

	while (*p && n < max) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w[n++] = p;
		for (; *p && (quoted || *p != ' '); p++)
			if (*p == '"')
				quoted = !quoted;
		if (*p)
			*p++ = '\0';
	}
	return n;
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

static int act_auth(struct core *k, char **w, size_t n)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;
	int mech = 0;

	cr_assert(n == 3, "auth MECH|auto user password");
	if (strcmp(w[0], "auto") != 0) {
		mech = correu_sasl_mech_from_name(w[0], strlen(w[0]));
		cr_assert(mech > 0);
	}
	memset(&cr, 0, sizeof(cr));
	cr.version = CORREU_SASL_CREDENTIALS_VERSION;
	cr.username = w[1];
	cr.username_len = strlen(w[1]);
	cr.password = w[2];
	cr.password_len = strlen(w[2]);
	correu_sasl_settings_init(&ss);
	ss.random = smtp_test_random;
	return correu_smtp_client_auth(k->c, mech, &cr, &ss);
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
	char *buf = malloc(alen + 1);
	char *w[16];
	size_t n;
	int rc = CORREU_ERR_ARG; /* cr_assert_fail below does not return */

	cr_assert(buf != NULL);
	memcpy(buf, args, alen);
	buf[alen] = '\0';
	if (strcmp(verb, "body") == 0) {
		rc = act_body(k, t, buf, alen);
		free(buf);
		return rc;
	}
	n = words(buf, w, 16);
	if (strcmp(verb, "mail") == 0)
		rc = act_mail(k, w, n);
	else if (strcmp(verb, "rcpt") == 0)
		rc = act_rcpt(k, w, n);
	else if (strcmp(verb, "data") == 0)
		rc = correu_smtp_client_data(k->c);
	else if (strcmp(verb, "end") == 0)
		rc = correu_smtp_client_body_end(k->c);
	else if (strcmp(verb, "auth") == 0)
		rc = act_auth(k, w, n);
	else if (strcmp(verb, "tls") == 0)
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
	free(buf);
	return rc;
}

const struct transcript_ops smtp_transcript_ops = {
	option, open_core, close_core, recv_bytes, send_buf, send_ack, action,
};
