/* The POP3 client's transcript adapter (see pop3_adapter.h). */
#include "pop3_adapter.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "split.h"

struct core {
	correu_pop3_client *c;
	transcript *t;
	size_t max_chunk;
	struct split_out body; /* chunks of the current message, joined */
};

static const char *const cmd_names[] = { "?",    "GREETING", "CAPA", "STLS", "USER", "PASS",
	                                 "APOP", "AUTH",     "STAT", "LIST", "UIDL", "RETR",
	                                 "TOP",  "DELE",     "RSET", "NOOP", "QUIT", "UTF8" };

const char *pop3_cmd_name(uint32_t cmd)
{
	return cmd_names[cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) ? cmd : 0];
}

void pop3_tctx_init(struct pop3_tctx *x)
{
	memset(x, 0, sizeof(*x));
	correu_pop3_settings_init(&x->set);
}

int pop3_test_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 37u + 11u);
	return 0;
}

static void reply_text(struct split_out *o, const correu_pop3_event *ev)
{
	split_out_printf(o, "reply %s %s", pop3_cmd_name(ev->command), ev->ok ? "+OK" : "-ERR");
	if (ev->msg)
		split_out_printf(o, " #%u", ev->msg);
	if (ev->size)
		split_out_printf(o, " size %llu", (unsigned long long)ev->size);
	if (ev->resp_code)
		split_out_printf(o, " [%.*s]=%u", (int)ev->code_text_len, ev->code_text,
		                 ev->resp_code);
	split_out_printf(o, " ");
	split_out_bytes(o, (const uint8_t *)ev->text, ev->text_len);
}

static int on_event(const correu_pop3_event *ev, void *userdata)
{
	struct core *k = userdata;
	struct split_out o = { NULL, 0, 0 };

	cr_assert_eq(ev->version, CORREU_POP3_EVENT_VERSION);
	split_out_printf(&o, "%s", "");
	switch (ev->type) {
	case CORREU_POP3_EV_REPLY: reply_text(&o, ev); break;
	case CORREU_POP3_EV_READY: split_out_printf(&o, "ready"); break;
	case CORREU_POP3_EV_STARTTLS: split_out_printf(&o, "starttls"); break;
	case CORREU_POP3_EV_ITEM:
		split_out_printf(&o, "item %s #%u", pop3_cmd_name(ev->command), ev->msg);
		if (ev->command == CORREU_POP3_CMD_LIST)
			split_out_printf(&o, " size %llu", (unsigned long long)ev->size);
		else {
			split_out_printf(&o, " ");
			split_out_bytes(&o, (const uint8_t *)ev->text, ev->text_len);
		}
		break;
	case CORREU_POP3_EV_BODY:
		/* Bounded chunks: never more than max_chunk, never empty. */
		cr_assert(ev->data_len > 0 && ev->data_len <= k->max_chunk, "chunk of %zu bytes",
		          ev->data_len);
		split_out_bytes(&k->body, ev->data, ev->data_len);
		free(o.text);
		return 0;
	case CORREU_POP3_EV_END:
		if (k->body.len) {
			split_out_printf(&o, "body %s #%u %s\n", pop3_cmd_name(ev->command),
			                 ev->msg, k->body.text);
			k->body.len = 0;
			k->body.text[0] = '\0';
		}
		split_out_printf(&o, "end %s", pop3_cmd_name(ev->command));
		break;
	case CORREU_POP3_EV_CLOSED: split_out_printf(&o, "closed"); break;
	case CORREU_POP3_EV_ERROR:
		if (k->body.len) {
			split_out_printf(&o, "partial body %s\n", k->body.text);
			k->body.len = 0;
			k->body.text[0] = '\0';
		}
		split_out_printf(&o, "error %s ", correu_err_name(ev->error));
		split_out_bytes(&o, (const uint8_t *)ev->text, ev->text_len);
		break;
	default: split_out_printf(&o, "event %u", ev->type);
	}
	/* A multi-line log entry (a body before its end) is two events. */
	for (char *line = o.text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		transcript_event(k->t, "%s", line);
	}
	free(o.text);
	return 0;
}

static int option(void *ctx, const char *line)
{
	struct pop3_tctx *x = ctx;
	unsigned long long v;

	if (strcmp(line, "policy none") == 0)
		x->set.tls_policy = CORREU_POP3_TLS_NONE;
	else if (strcmp(line, "policy opportunistic") == 0)
		x->set.tls_policy = CORREU_POP3_TLS_OPPORTUNISTIC;
	else if (strcmp(line, "policy required") == 0)
		x->set.tls_policy = CORREU_POP3_TLS_REQUIRED;
	else if (strcmp(line, "policy implicit") == 0)
		x->set.tls_policy = CORREU_POP3_TLS_IMPLICIT;
	else if (strcmp(line, "no-pipelining") == 0)
		x->set.flags |= CORREU_POP3_NO_PIPELINING;
	else if (strcmp(line, "plaintext-auth") == 0)
		x->set.flags |= CORREU_POP3_ALLOW_PLAINTEXT_AUTH;
	else if (strcmp(line, "normalise") == 0)
		x->set.flags |= CORREU_POP3_BODY_NORMALISE;
	else if (sscanf(line, "max-line %llu", &v) == 1)
		x->set.max_line = (size_t)v;
	else if (sscanf(line, "max-body-line %llu", &v) == 1)
		x->set.max_body_line = (size_t)v;
	else if (sscanf(line, "max-message %llu", &v) == 1)
		x->set.max_message = v;
	else if (sscanf(line, "max-chunk %llu", &v) == 1)
		x->set.max_chunk = (size_t)v;
	else if (sscanf(line, "max-capa %llu", &v) == 1)
		x->set.max_capa = (size_t)v;
	else if (sscanf(line, "max-command %llu", &v) == 1)
		x->set.max_command = (uint32_t)v;
	else if (sscanf(line, "max-commands %llu", &v) == 1)
		x->set.max_commands = (uint32_t)v;
	else
		return -1;
	return 0;
}

static void *open_core(transcript *t, void *ctx)
{
	struct pop3_tctx *x = ctx;
	struct core *k = calloc(1, sizeof(*k));
	correu_pop3_settings s = x->set;

	cr_assert(k != NULL);
	k->t = t;
	k->max_chunk = s.max_chunk ? s.max_chunk : 16384;
	split_out_printf(&k->body, "%s", "");
	s.on_event = on_event;
	s.event_userdata = k;
	s.allocator = x->alloc;
	cr_assert_eq(correu_pop3_client_new(&s, &k->c), 0);
	return k;
}

static void close_core(void *core)
{
	struct core *k = core;

	correu_pop3_client_free(k->c);
	free(k->body.text);
	free(k);
}

static int recv_bytes(void *core, const uint8_t *p, size_t n)
{
	struct core *k = core;
	correu_ssize rc = correu_pop3_client_recv(k->c, p, n, 1000);

	cr_assert(rc < 0 || (size_t)rc == n, "recv consumed %td of %zu", rc, n);
	return rc < 0 ? (int)rc : 0;
}

static const uint8_t *send_buf(void *core, size_t *len)
{
	return correu_pop3_client_send_buf(((struct core *)core)->c, len);
}

static void send_ack(void *core, size_t n)
{
	cr_assert_eq(correu_pop3_client_send_ack(((struct core *)core)->c, n), 0);
}

/* Split args at spaces into words (args are modified); "" is an empty word. */
static size_t words(char *args, char **w, size_t max)
{
	size_t n = 0;

	for (char *p = strtok(args, " "); p && n < max; p = strtok(NULL, " "))
		w[n++] = strcmp(p, "\"\"") == 0 ? p + 2 : p;
	return n;
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
	ss.random = pop3_test_random;
	return correu_pop3_client_auth(k->c, mech, &cr, &ss);
}

static int act_query(struct core *k, transcript *t, const char *verb, char **w, size_t n)
{
	const char *p;
	size_t len;
	uint32_t v, per_user;
	int rc = 0;

	if (strcmp(verb, "cap") == 0) {
		cr_assert(n == 1);
		rc = correu_pop3_client_cap_find(k->c, w[0], strlen(w[0]), &p, &len);
		if (rc == 0)
			transcript_event(t, "cap %s = %.*s", w[0], (int)len, p);
	} else if (strcmp(verb, "caps") == 0)
		transcript_event(t, "caps 0x%x capa %d", correu_pop3_client_caps(k->c),
		                 correu_pop3_client_has_capa(k->c));
	else if (strcmp(verb, "mechs") == 0) {
		p = correu_pop3_client_sasl_mechs(k->c, &len);
		transcript_event(t, "mechs %.*s", (int)len, p ? p : "");
	} else if (strcmp(verb, "timestamp") == 0) {
		p = correu_pop3_client_apop_timestamp(k->c, &len);
		transcript_event(t, "timestamp %.*s", (int)len, p ? p : "");
	} else if (strcmp(verb, "expire") == 0 || strcmp(verb, "login-delay") == 0) {
		rc = verb[0] == 'e' ? correu_pop3_client_expire(k->c, &v, &per_user)
		                    : correu_pop3_client_login_delay(k->c, &v, &per_user);
		if (rc == 0)
			transcript_event(t, "%s %u user %u", verb, v, per_user);
	} else if (strcmp(verb, "capcount") == 0) {
		size_t i, kl;
		const char *kw;

		for (i = 0; correu_pop3_client_cap_at(k->c, i, &kw, &kl, &p, &len) == 0; i++)
			transcript_event(t, "capline %zu %.*s|%.*s", i, (int)kl, kw, (int)len, p);
		transcript_event(t, "capcount %zu", correu_pop3_client_cap_count(k->c));
	} else if (strcmp(verb, "idle") == 0)
		rc = correu_pop3_client_idle(k->c) ? 0 : CORREU_ERR_STATE;
	else if (strcmp(verb, "logged-in") == 0)
		rc = correu_pop3_client_logged_in(k->c) ? 0 : CORREU_ERR_STATE;
	else
		cr_assert_fail("unknown action %s", verb);
	return rc;
}

static uint32_t num(char **w, size_t n, size_t i)
{
	return i < n ? (uint32_t)strtoul(w[i], NULL, 10) : 0;
}

static int action(void *core, transcript *t, const char *verb, const char *args, size_t alen)
{
	struct core *k = core;
	char *buf = malloc(alen + 1);
	char *w[8];
	size_t n;
	int rc;

	cr_assert(buf != NULL);
	memcpy(buf, args, alen);
	buf[alen] = '\0';
	n = words(buf, w, 8);
	if (strcmp(verb, "user") == 0 || strcmp(verb, "apop") == 0) {
		cr_assert(n == 2, "%s NAME PASS", verb);
		rc = verb[0] == 'u'
		             ? correu_pop3_client_user(k->c, w[0], strlen(w[0]), w[1], strlen(w[1]))
		             : correu_pop3_client_apop(k->c, w[0], strlen(w[0]), w[1],
		                                       strlen(w[1]));
	} else if (strcmp(verb, "auth") == 0)
		rc = act_auth(k, w, n);
	else if (strcmp(verb, "tls") == 0)
		rc = correu_pop3_client_tls_done(k->c);
	else if (strcmp(verb, "capa") == 0)
		rc = correu_pop3_client_capa(k->c);
	else if (strcmp(verb, "utf8") == 0)
		rc = correu_pop3_client_utf8(k->c);
	else if (strcmp(verb, "stat") == 0)
		rc = correu_pop3_client_stat(k->c);
	else if (strcmp(verb, "list") == 0)
		rc = correu_pop3_client_list(k->c, num(w, n, 0));
	else if (strcmp(verb, "uidl") == 0)
		rc = correu_pop3_client_uidl(k->c, num(w, n, 0));
	else if (strcmp(verb, "retr") == 0)
		rc = correu_pop3_client_retr(k->c, num(w, n, 0));
	else if (strcmp(verb, "top") == 0)
		rc = correu_pop3_client_top(k->c, num(w, n, 0), num(w, n, 1));
	else if (strcmp(verb, "dele") == 0)
		rc = correu_pop3_client_dele(k->c, num(w, n, 0));
	else if (strcmp(verb, "rset") == 0)
		rc = correu_pop3_client_rset(k->c);
	else if (strcmp(verb, "noop") == 0)
		rc = correu_pop3_client_noop(k->c);
	else if (strcmp(verb, "quit") == 0)
		rc = correu_pop3_client_quit(k->c);
	else if (strcmp(verb, "eof") == 0)
		rc = correu_pop3_client_eof(k->c);
	else
		rc = act_query(k, t, verb, w, n);
	free(buf);
	return rc;
}

const struct transcript_ops pop3_transcript_ops = {
	option, open_core, close_core, recv_bytes, send_buf, send_ack, action,
};
