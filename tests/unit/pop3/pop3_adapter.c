/* The POP3 client's transcript adapter (see pop3_adapter.h). */
#include "pop3_adapter.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_adapter.h"
#include "split.h"

CORREU__PROTO_CORE(pop3_core, correu_pop3_client, CORREU_POP3_EV);

struct core {
	struct client_core base; /* first: the shared callbacks' view */
	correu_pop3_client *c;
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
		client_piece_add(&k->body, ev->data, ev->data_len, k->max_chunk);
		free(o.text);
		return 0;
	case CORREU_POP3_EV_END:
		if (k->body.len) {
			split_out_printf(&o, "body %s #%u %s\n", pop3_cmd_name(ev->command),
			                 ev->msg, k->body.text);
			client_pieces_clear(&k->body);
		}
		split_out_printf(&o, "end %s", pop3_cmd_name(ev->command));
		break;
	case CORREU_POP3_EV_CLOSED: split_out_printf(&o, "closed"); break;
	case CORREU_POP3_EV_ERROR:
		if (k->body.len) {
			split_out_printf(&o, "partial body %s\n", k->body.text);
			client_pieces_clear(&k->body);
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
		transcript_event(k->base.t, "%s", line);
	}
	free(o.text);
	return 0;
}

static int option(void *ctx, const char *line)
{
	static const uint32_t policies[4] = { CORREU_POP3_TLS_NONE, CORREU_POP3_TLS_OPPORTUNISTIC,
		                              CORREU_POP3_TLS_REQUIRED, CORREU_POP3_TLS_IMPLICIT };
	struct pop3_tctx *x = ctx;
	unsigned long long v;

	if (client_policy_option(line, policies, &x->set.tls_policy))
		;
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
	k->max_chunk = s.max_chunk ? s.max_chunk : 16384;
	split_out_printf(&k->body, "%s", "");
	s.on_event = on_event;
	s.event_userdata = k;
	s.allocator = x->alloc;
	cr_assert_eq(correu_pop3_client_new(&s, &k->c), 0);
	client_core_init(&k->base, &pop3_core, k->c, t);
	return k;
}

static void close_core(void *core)
{
	struct core *k = core;

	correu_pop3_client_free(k->c);
	free(k->body.text);
	free(k);
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
	struct client_words a;
	struct client_auth au;
	char **w;
	size_t n;
	int rc;

	client_words_split(&a, args, alen);
	w = a.w;
	n = a.n;
	if (strcmp(verb, "user") == 0 || strcmp(verb, "apop") == 0) {
		cr_assert(n == 2, "%s NAME PASS", verb);
		rc = verb[0] == 'u'
		             ? correu_pop3_client_user(k->c, w[0], strlen(w[0]), w[1], strlen(w[1]))
		             : correu_pop3_client_apop(k->c, w[0], strlen(w[0]), w[1],
		                                       strlen(w[1]));
	} else if (strcmp(verb, "auth") == 0) {
		client_auth_words(&au, &a);
		rc = correu_pop3_client_auth(k->c, au.mech, &au.cr, &au.ss);
	} else if (strcmp(verb, "tls") == 0)
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
	client_words_free(&a);
	return rc;
}

const struct transcript_ops pop3_transcript_ops = {
	option, open_core, close_core, client_core_recv, client_core_send_buf, client_core_send_ack,
	action,
};
