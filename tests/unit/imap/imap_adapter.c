/* The IMAP client's transcript adapter (see imap_adapter.h). */
#include "imap_adapter.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_adapter.h"
#include "split.h"

CORREU__PROTO_CORE(imap_core, correu_imap_client, CORREU_IMAP_CLIENT_EV);

struct core {
	struct client_core base; /* first: the shared callbacks' view */
	correu_imap_client *c;
	size_t max_chunk;
	struct split_out lit; /* pieces of the current literal, joined */
	char *append;         /* data of APPEND literals, one per add */
	size_t append_len, append_pos;
};

static const char *const cmd_names[] = {
	"?",         "GREETING",     "CAPABILITY", "STARTTLS", "LOGIN",  "AUTHENTICATE", "ENABLE",
	"SELECT",    "EXAMINE",      "LIST",       "STATUS",   "CREATE", "DELETE",       "RENAME",
	"SUBSCRIBE", "UNSUBSCRIBE",  "SEARCH",     "SORT",     "THREAD", "FETCH",        "STORE",
	"COPY",      "MOVE",         "EXPUNGE",    "APPEND",   "IDLE",   "NAMESPACE",    "ID",
	"GETQUOTA",  "GETQUOTAROOT", "UNSELECT",   "CLOSE",    "LOGOUT", "NOOP",         "OTHER",
	"GETMETADATA", "SETMETADATA", "COMPRESS"
};

const char *imap_cmd_name(uint32_t cmd)
{
	return cmd_names[cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) ? cmd : 0];
}

void imap_tctx_init(struct imap_tctx *x)
{
	memset(x, 0, sizeof(*x));
	correu_imap_settings_init(&x->set);
	correu_imap_parser_settings_init(&x->pset);
}

static void strs(struct split_out *o, const correu_imap_event *ev)
{
	for (int i = 0; i < 4; i++) {
		if (!ev->str[i])
			continue;
		split_out_printf(o, " s%d=", i);
		split_out_bytes(o, (const uint8_t *)ev->str[i], ev->str_len[i]);
	}
}

static const char *status_name(uint32_t resp)
{
	return correu_imap_resp_name(resp);
}

static void end_text(struct split_out *o, const correu_imap_event *ev)
{
	if (ev->code) {
		split_out_printf(o, " [%s", correu_imap_code_name(ev->code));
		if (ev->num)
			split_out_printf(o, " %llu", (unsigned long long)ev->num);
		for (int i = 2; i < 4; i++)
			if (ev->str[i]) {
				split_out_printf(o, " ");
				split_out_bytes(o, (const uint8_t *)ev->str[i], ev->str_len[i]);
			}
		split_out_printf(o, "]");
	}
	split_out_printf(o, " ");
	if (ev->str[0])
		split_out_bytes(o, (const uint8_t *)ev->str[0], ev->str_len[0]);
}

static void data_text(struct core *k, struct split_out *o, const correu_imap_client_event *cev)
{
	const correu_imap_event *ev = cev->data;

	switch (ev->type) {
	case CORREU_IMAP_EV_BEGIN:
		split_out_printf(o, "data %s: * %s",
		                 cev->command ? imap_cmd_name(cev->command) : "-",
		                 status_name(ev->resp));
		if (ev->num)
			split_out_printf(o, " %llu", (unsigned long long)ev->num);
		break;
	case CORREU_IMAP_EV_ITEM:
		split_out_printf(o, "data   %s", correu_imap_item_name(ev->item));
		strs(o, ev);
		if (ev->num)
			split_out_printf(o, " num=%llu", (unsigned long long)ev->num);
		if (ev->flags)
			split_out_printf(o, " flags=0x%x", ev->flags);
		break;
	case CORREU_IMAP_EV_LITERAL_BEGIN: client_pieces_clear(&k->lit); return;
	case CORREU_IMAP_EV_LITERAL_DATA:
		client_piece_add(&k->lit, ev->data, ev->data_len, k->max_chunk);
		return;
	case CORREU_IMAP_EV_LITERAL_END:
		split_out_printf(o, "data   literal %s", correu_imap_item_name(ev->item));
		strs(o, ev);
		split_out_printf(o, " size=%llu: %s", (unsigned long long)ev->num3, k->lit.text);
		client_pieces_clear(&k->lit);
		break;
	case CORREU_IMAP_EV_END:
		split_out_printf(o, "data   end %s", status_name(ev->resp));
		end_text(o, ev);
		break;
	default:
		split_out_printf(o, "data   error %s ", correu_err_name(ev->error));
		if (ev->str[0])
			split_out_bytes(o, (const uint8_t *)ev->str[0], ev->str_len[0]);
	}
}

static int on_event(const correu_imap_client_event *ev, void *userdata)
{
	struct core *k = userdata;
	struct split_out o = { NULL, 0, 0 };

	cr_assert_eq(ev->version, CORREU_IMAP_CLIENT_EVENT_VERSION);
	split_out_printf(&o, "%s", "");
	switch (ev->type) {
	case CORREU_IMAP_CLIENT_EV_READY:
		split_out_printf(&o, "ready %s", status_name(ev->status));
		break;
	case CORREU_IMAP_CLIENT_EV_STARTTLS: split_out_printf(&o, "starttls"); break;
	case CORREU_IMAP_CLIENT_EV_DATA: data_text(k, &o, ev); break;
	case CORREU_IMAP_CLIENT_EV_DONE:
		cr_assert(ev->data && ev->data->type == CORREU_IMAP_EV_END);
		split_out_printf(&o, "done %s #%u %s", imap_cmd_name(ev->command), ev->id,
		                 status_name(ev->status));
		end_text(&o, ev->data);
		break;
	case CORREU_IMAP_CLIENT_EV_IDLING: split_out_printf(&o, "idling #%u", ev->id); break;
	case CORREU_IMAP_CLIENT_EV_CLOSED: split_out_printf(&o, "closed"); break;
	case CORREU_IMAP_CLIENT_EV_COMPRESS: split_out_printf(&o, "compress"); break;
	case CORREU_IMAP_CLIENT_EV_ERROR:
		split_out_printf(&o, "error %s ", correu_err_name(ev->error));
		split_out_bytes(&o, (const uint8_t *)ev->text, ev->text_len);
		break;
	default: split_out_printf(&o, "event %u", ev->type);
	}
	if (o.len)
		transcript_event(k->base.t, "%s", o.text);
	free(o.text);
	return 0;
}

static int option(void *ctx, const char *line)
{
	static const uint32_t policies[4] = { CORREU_IMAP_TLS_NONE, CORREU_IMAP_TLS_OPPORTUNISTIC,
		                              CORREU_IMAP_TLS_REQUIRED, CORREU_IMAP_TLS_IMPLICIT };
	struct imap_tctx *x = ctx;
	unsigned long long v;

	if (client_policy_option(line, policies, &x->set.tls_policy))
		;
	else if (strcmp(line, "plaintext-auth") == 0)
		x->set.flags |= CORREU_IMAP_ALLOW_PLAINTEXT_AUTH;
	else if (strcmp(line, "no-literal-plus") == 0)
		x->set.flags |= CORREU_IMAP_NO_LITERAL_PLUS;
	else if (sscanf(line, "max-chunk %llu", &v) == 1)
		x->pset.max_chunk = (size_t)v;
	else if (sscanf(line, "max-quoted %llu", &v) == 1)
		x->set.max_quoted = (uint32_t)v;
	else if (sscanf(line, "max-commands %llu", &v) == 1)
		x->set.max_commands = (uint32_t)v;
	else if (sscanf(line, "max-queue %llu", &v) == 1)
		x->set.max_queue = (size_t)v;
	else if (sscanf(line, "max-output %llu", &v) == 1)
		x->set.max_output = (size_t)v;
	else if (sscanf(line, "idle-renew %llu", &v) == 1)
		x->set.idle_renew_ms = (uint32_t)v;
	else
		return -1;
	return 0;
}

static void *open_core(transcript *t, void *ctx)
{
	struct imap_tctx *x = ctx;
	struct core *k = calloc(1, sizeof(*k));
	correu_imap_settings s = x->set;

	cr_assert(k != NULL);
	k->max_chunk = x->pset.max_chunk ? x->pset.max_chunk : 65536;
	split_out_printf(&k->lit, "%s", "");
	s.on_event = on_event;
	s.event_userdata = k;
	s.allocator = x->alloc;
	s.parser = &x->pset;
	cr_assert_eq(correu_imap_client_new(&s, &k->c), 0);
	client_core_init(&k->base, &imap_core, k->c, t);
	return k;
}

static void close_core(void *core)
{
	struct core *k = core;

	correu_imap_client_free(k->c);
	free(k->lit.text);
	free(k->append);
	free(k);
}

/* Not client_core_send_ack(): the IMAP core fills the room an
 * acknowledgement makes with queued command data (an APPEND literal from
 * its reader), which may fail; the failure must be the core's sticky
 * error. */
static void send_ack(void *core, size_t n)
{
	int rc = correu_imap_client_send_ack(((struct core *)core)->c, n);

	cr_assert(rc == 0 || rc == correu_imap_client_error(((struct core *)core)->c));
}

/* The reader of APPEND literals: hands out the data at most 5 bytes at a
 * time, so streaming is exercised even for short messages. */
static correu_ssize reader(uint8_t *buf, size_t len, void *userdata)
{
	struct core *k = userdata;
	size_t n = k->append_len - k->append_pos;

	cr_assert(len > 0 && n > 0, "reader called with nothing due");
	if (n > len)
		n = len;
	if (n > 5)
		n = 5;
	memcpy(buf, k->append + k->append_pos, n);
	k->append_pos += n;
	return (correu_ssize)n;
}

/* Add `data` to the APPEND data and return its size. */
static uint64_t add_data(struct core *k, const char *data, size_t len)
{
	k->append = realloc(k->append, k->append_len + len + 1);
	cr_assert(k->append != NULL);
	memcpy(k->append + k->append_len, data, len);
	k->append_len += len;
	return len;
}

/* Split at the first space: w0 is the first word, rest what follows. */
static const char *word(const char *args, size_t len, char *w, size_t wcap, size_t *rest_len)
{
	size_t i = 0;

	while (i < len && args[i] != ' ')
		i++;
	cr_assert(i < wcap, "word too long");
	memcpy(w, args, i);
	w[i] = '\0';
	*rest_len = i < len ? len - i - 1 : 0;
	return i < len ? args + i + 1 : args + len;
}

static uint32_t flag_words(const char *s)
{
	static const struct {
		const char *w;
		uint32_t v;
	} names[] = {
		{ "uid", CORREU_IMAP_UID },
		{ "min", CORREU_IMAP_RETURN_MIN },
		{ "max", CORREU_IMAP_RETURN_MAX },
		{ "all", CORREU_IMAP_RETURN_ALL },
		{ "count", CORREU_IMAP_RETURN_COUNT },
		{ "partial", CORREU_IMAP_RETURN_PARTIAL },
		{ "ro", CORREU_IMAP_SELECT_READ_ONLY },
		{ "condstore", CORREU_IMAP_SELECT_CONDSTORE },
		{ "subscribed", CORREU_IMAP_LIST_SUBSCRIBED },
		{ "special", CORREU_IMAP_LIST_SPECIAL_USE },
		{ "ret-special", CORREU_IMAP_LIST_RETURN_SPECIAL_USE },
		{ "ret-children", CORREU_IMAP_LIST_RETURN_CHILDREN },
		{ "ret-subscribed", CORREU_IMAP_LIST_RETURN_SUBSCRIBED },
		{ "rev2", CORREU_IMAP_CAP_IMAP4REV2 },
		{ "qresync", CORREU_IMAP_CAP_QRESYNC },
		{ "utf8", CORREU_IMAP_CAP_UTF8_ACCEPT },
		{ "binary", CORREU_IMAP_LITERAL_BINARY },
		{ "messages", CORREU_IMAP_STATUS_MESSAGES },
		{ "uidnext", CORREU_IMAP_STATUS_UIDNEXT },
		{ "unseen", CORREU_IMAP_STATUS_UNSEEN },
		{ "highestmodseq", CORREU_IMAP_STATUS_HIGHESTMODSEQ },
		{ "-", 0 },
	};
	uint32_t v = 0;
	char buf[256];

	cr_assert(strlen(s) < sizeof(buf));
	strcpy(buf, s);
	for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(p, names[i].w) == 0)
				break;
		cr_assert(i < sizeof(names) / sizeof(names[0]), "unknown flag %s", p);
		v |= names[i].v;
	}
	return v;
}

static int act_auth(struct core *k, const char *args, size_t len)
{
	struct client_words w;
	struct client_auth au;
	int rc;

	client_words_split(&w, args, len);
	client_auth_words(&au, &w);
	rc = correu_imap_client_authenticate(k->c, au.mech, &au.cr, &au.ss);
	client_words_free(&w);
	return rc;
}

static uint32_t kind_of(const char *verb)
{
	for (uint32_t i = 1; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++) {
		char low[32];
		size_t n = strlen(cmd_names[i]);

		for (size_t j = 0; j <= n; j++)
			low[j] = (char)(cmd_names[i][j] >= 'A' && cmd_names[i][j] <= 'Z'
			                        ? cmd_names[i][j] + 32
			                        : cmd_names[i][j]);
		if (strcmp(low, verb) == 0)
			return i;
	}
	return 0;
}

static int act_query(struct core *k, transcript *t, const char *verb, const char *args, size_t len)
{
	const char *p;
	size_t n;

	if (strcmp(verb, "caps") == 0)
		transcript_event(t, "caps 0x%x", correu_imap_client_caps(k->c));
	else if (strcmp(verb, "has-cap") == 0)
		transcript_event(t, "has-cap %.*s %d", (int)len, args,
		                 correu_imap_client_has_cap(k->c, args, len));
	else if (strcmp(verb, "mechs") == 0) {
		p = correu_imap_client_sasl_mechs(k->c, &n);
		transcript_event(t, "mechs %.*s", (int)n, p ? p : "");
	} else if (strcmp(verb, "enabled") == 0)
		transcript_event(t, "enabled 0x%x", correu_imap_client_enabled(k->c));
	else if (strcmp(verb, "logged-in") == 0)
		return correu_imap_client_logged_in(k->c) ? 0 : CORREU_ERR_STATE;
	else if (strcmp(verb, "tls?") == 0)
		return correu_imap_client_is_tls(k->c) ? 0 : CORREU_ERR_STATE;
	else if (strcmp(verb, "idle?") == 0)
		return correu_imap_client_idle(k->c) ? 0 : CORREU_ERR_STATE;
	else if (strcmp(verb, "deadline") == 0) {
		uint64_t d = correu_imap_client_next_deadline(k->c);

		if (d == UINT64_MAX)
			transcript_event(t, "deadline none");
		else
			transcript_event(t, "deadline +%lld", (long long)(d - k->base.now));
	} else if (strcmp(verb, "tick") == 0) {
		k->base.now += strtoull(args, NULL, 10);
		return correu_imap_client_tick(k->c, k->base.now);
	} else if (strcmp(verb, "eof") == 0)
		return correu_imap_client_eof(k->c);
	else
		cr_assert_fail("unknown action %s", verb);
	return 0;
}

static int act_builder(struct core *k, const char *verb, const char *args, size_t len, bool *done)
{
	*done = true;
	if (strcmp(verb, "begin") == 0)
		return correu_imap_client_begin(k->c, args, len);
	if (strcmp(verb, "add-raw") == 0)
		return correu_imap_client_add_raw(k->c, args, len);
	if (strcmp(verb, "add-string") == 0)
		return correu_imap_client_add_string(k->c, args, len);
	if (strcmp(verb, "add-mailbox") == 0)
		return correu_imap_client_add_mailbox(k->c, args, len);
	if (strcmp(verb, "add-literal") == 0 || strcmp(verb, "add-literal8") == 0)
		return correu_imap_client_add_literal(
			k->c, add_data(k, args, len),
			verb[11] == '8' ? CORREU_IMAP_LITERAL_BINARY : 0, reader, k);
	if (strcmp(verb, "end") == 0)
		return correu_imap_client_end(k->c);
	if (strcmp(verb, "raw") == 0)
		return correu_imap_client_raw(k->c, args, len);
	*done = false;
	return 0;
}

static int act_command(struct core *k, const char *verb, const char *args, size_t len, bool *done)
{
	char a[256], b[256], c3[256];
	const char *rest;
	size_t rl, rl2;

	*done = true;

	if (strcmp(verb, "login") == 0) {
		rest = word(args, len, a, sizeof(a), &rl);
		return correu_imap_client_login(k->c, a, strlen(a), rest, rl);
	}
	if (strcmp(verb, "auth") == 0)
		return act_auth(k, args, len);
	if (strcmp(verb, "tls") == 0)
		return correu_imap_client_tls_done(k->c);
	if (strcmp(verb, "capability") == 0)
		return correu_imap_client_capability(k->c);
	if (strcmp(verb, "noop") == 0)
		return correu_imap_client_noop(k->c);
	if (strcmp(verb, "logout") == 0)
		return correu_imap_client_logout(k->c);
	if (strcmp(verb, "enable") == 0)
		return correu_imap_client_enable(k->c, flag_words(args));
	if (strcmp(verb, "select") == 0) {
		/* select FLAGS UIDVALIDITY MODSEQ KNOWN|- MAILBOX... */
		unsigned long uv;
		unsigned long long ms;

		rest = word(args, len, a, sizeof(a), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		uv = strtoul(b, NULL, 10);
		rest = word(rest, rl, b, sizeof(b), &rl);
		ms = strtoull(b, NULL, 10);
		rest = word(rest, rl, c3, sizeof(c3), &rl);
		return correu_imap_client_select(k->c, rest, rl, flag_words(a), (uint32_t)uv, ms,
		                                 strcmp(c3, "-") ? c3 : NULL,
		                                 strcmp(c3, "-") ? strlen(c3) : 0);
	}
	if (strcmp(verb, "list") == 0) {
		/* list FLAGS STATUS-ITEMS REF|- PATTERN */
		rest = word(args, len, a, sizeof(a), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		rest = word(rest, rl, c3, sizeof(c3), &rl2);
		return correu_imap_client_list(k->c, c3, strcmp(c3, "-") ? strlen(c3) : 0, rest,
		                               rl2, flag_words(a), flag_words(b));
	}
	if (strcmp(verb, "status") == 0) {
		rest = word(args, len, a, sizeof(a), &rl);
		return correu_imap_client_status(k->c, rest, rl, flag_words(a));
	}
	if (strcmp(verb, "rename") == 0) {
		rest = word(args, len, a, sizeof(a), &rl);
		return correu_imap_client_rename(k->c, a, strlen(a), rest, rl);
	}
	if (strcmp(verb, "search") == 0) {
		/* search FLAGS CHARSET|- KEYS... */
		rest = word(args, len, a, sizeof(a), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		return correu_imap_client_search(k->c, flag_words(a), strcmp(b, "-") ? b : NULL,
		                                 rest, rl);
	}
	if (strcmp(verb, "sort") == 0 || strcmp(verb, "thread") == 0) {
		/* sort FLAGS PROGRAM CHARSET KEYS... */
		rest = word(args, len, a, sizeof(a), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		rest = word(rest, rl, c3, sizeof(c3), &rl);
		return correu_imap_client_sort(k->c, kind_of(verb), flag_words(a), b, strlen(b), c3,
		                               rest, rl);
	}
	if (strcmp(verb, "fetch") == 0 || strcmp(verb, "store") == 0) {
		/* fetch FLAGS SET MODSEQ ITEMS... ; store FLAGS SET MODSEQ ACTION LIST... */
		unsigned long long ms;

		rest = word(args, len, a, sizeof(a), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		rest = word(rest, rl, c3, sizeof(c3), &rl);
		ms = strtoull(c3, NULL, 10);
		if (verb[0] == 'f') {
			snprintf(c3, sizeof(c3), "%.*s", (int)rl, rest);
			return correu_imap_client_fetch(k->c, flag_words(a), b, c3, ms);
		}
		{
			char act[64];

			rest = word(rest, rl, act, sizeof(act), &rl);
			snprintf(c3, sizeof(c3), "%.*s", (int)rl, rest);
			return correu_imap_client_store(k->c, flag_words(a), b, act, c3, ms);
		}
	}
	if (strcmp(verb, "copy") == 0 || strcmp(verb, "move") == 0) {
		rest = word(args, len, a, sizeof(a), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		return correu_imap_client_copy(k->c, kind_of(verb), flag_words(a), b, rest, rl);
	}
	if (strcmp(verb, "expunge") == 0)
		return correu_imap_client_expunge(k->c, len ? args : NULL);
	if (strcmp(verb, "append") == 0) {
		/* append FLAGS MAILBOX DATA... */
		rest = word(args, len, a, sizeof(a), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		return correu_imap_client_append(k->c, b, strlen(b), NULL, NULL,
		                                 add_data(k, rest, rl), flag_words(a), reader, k);
	}
	if (strcmp(verb, "idle") == 0)
		return correu_imap_client_idle_start(k->c);
	if (strcmp(verb, "done") == 0)
		return correu_imap_client_idle_done(k->c);
	if (strcmp(verb, "getquota") == 0)
		return correu_imap_client_getquota(k->c, args, len);
	if (kind_of(verb) == CORREU_IMAP_CMD_CREATE || kind_of(verb) == CORREU_IMAP_CMD_DELETE ||
	    kind_of(verb) == CORREU_IMAP_CMD_SUBSCRIBE ||
	    kind_of(verb) == CORREU_IMAP_CMD_UNSUBSCRIBE ||
	    kind_of(verb) == CORREU_IMAP_CMD_GETQUOTAROOT)
		return correu_imap_client_mailbox_cmd(k->c, kind_of(verb), args, len);
	if (kind_of(verb) == CORREU_IMAP_CMD_NAMESPACE ||
	    kind_of(verb) == CORREU_IMAP_CMD_UNSELECT || kind_of(verb) == CORREU_IMAP_CMD_CLOSE ||
	    kind_of(verb) == CORREU_IMAP_CMD_ID)
		return correu_imap_client_simple(k->c, kind_of(verb));
	*done = false;
	return 0;
}

/* Up to 8 words of "ENTRY[=VALUE]" into the arrays METADATA takes; "NIL"
 * after "=" is a NULL value. */
struct meta_args {
	char buf[512];
	const char *e[8], *v[8];
	size_t el[8], vl[8], n;
};

static void meta_split(struct meta_args *m, const char *args, size_t len)
{
	cr_assert(len < sizeof(m->buf));
	memcpy(m->buf, args, len);
	m->buf[len] = '\0';
	m->n = 0;
	for (char *p = strtok(m->buf, " "); p && m->n < 8; p = strtok(NULL, " ")) {
		char *eq = strchr(p, '=');

		m->e[m->n] = p;
		m->v[m->n] = NULL;
		m->vl[m->n] = 0;
		if (eq) {
			*eq = '\0';
			if (strcmp(eq + 1, "NIL") != 0) {
				m->v[m->n] = eq + 1;
				m->vl[m->n] = strlen(eq + 1);
			}
		}
		m->el[m->n] = strlen(p);
		m->n++;
	}
}

/* The extension calls: RETURN options, METADATA, COMPRESS. */
static int act_ext(struct core *k, const char *verb, const char *args, size_t len, bool *done)
{
	char a[256], b[256], c3[256];
	const char *rest;
	size_t rl;
	long first = 0, last = 0;
	struct meta_args m;

	*done = true;
	if (strcmp(verb, "search-return") == 0 || strcmp(verb, "sort-return") == 0) {
		/* search-return FLAGS FIRST:LAST|- CHARSET|- KEYS...
		 * sort-return FLAGS FIRST:LAST|- PROGRAM CHARSET KEYS... */
		rest = word(args, len, a, sizeof(a), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		if (strcmp(b, "-") != 0)
			cr_assert(sscanf(b, "%ld:%ld", &first, &last) == 2);
		if (verb[1] == 'e') {
			rest = word(rest, rl, c3, sizeof(c3), &rl);
			return correu_imap_client_search_return(k->c, flag_words(a), (int32_t)first,
			                                        (int32_t)last,
			                                        strcmp(c3, "-") ? c3 : NULL, rest, rl);
		}
		rest = word(rest, rl, c3, sizeof(c3), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		return correu_imap_client_sort_return(k->c, flag_words(a), (int32_t)first,
		                                      (int32_t)last, c3, strlen(c3), b, rest, rl);
	}
	if (strcmp(verb, "getmeta") == 0) {
		/* getmeta MAXSIZE DEPTH(0|1|inf) MAILBOX|- ENTRY... */
		rest = word(args, len, a, sizeof(a), &rl);
		rest = word(rest, rl, b, sizeof(b), &rl);
		rest = word(rest, rl, c3, sizeof(c3), &rl);
		meta_split(&m, rest, rl);
		return correu_imap_client_getmetadata(
			k->c, c3, strcmp(c3, "-") ? strlen(c3) : 0, m.e, m.el, m.n,
			(uint32_t)strtoul(a, NULL, 10),
			strcmp(b, "inf") == 0 ? CORREU_IMAP_DEPTH_INFINITY
			                      : (uint32_t)strtoul(b, NULL, 10));
	}
	if (strcmp(verb, "setmeta") == 0) {
		/* setmeta MAILBOX|- ENTRY=VALUE... */
		rest = word(args, len, c3, sizeof(c3), &rl);
		meta_split(&m, rest, rl);
		return correu_imap_client_setmetadata(k->c, c3, strcmp(c3, "-") ? strlen(c3) : 0,
		                                      m.e, m.el, m.v, m.vl, m.n);
	}
	if (strcmp(verb, "compress") == 0)
		return correu_imap_client_compress(k->c);
	if (strcmp(verb, "compress-done") == 0)
		return correu_imap_client_compress_done(k->c);
	if (strcmp(verb, "compressed?") == 0) {
		transcript_event(k->base.t, "compressed %d", correu_imap_client_is_compressed(k->c));
		return 0;
	}
	*done = false;
	return 0;
}

static int action(void *core, transcript *t, const char *verb, const char *args, size_t alen)
{
	struct core *k = core;
	bool done;
	int rc = act_builder(k, verb, args, alen, &done);

	if (done)
		return rc;
	rc = act_ext(k, verb, args, alen, &done);
	if (done)
		return rc;
	rc = act_command(k, verb, args, alen, &done);
	if (done)
		return rc;
	return act_query(k, t, verb, args, alen);
}

const struct transcript_ops imap_transcript_ops = {
	option, open_core, close_core, client_core_recv, client_core_send_buf, send_ack, action,
};
