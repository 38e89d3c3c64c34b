/* The POP3 server core's transcript adapter (see pop3d_adapter.h). */
#include "pop3d_adapter.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_drive.h"
#include "memback.h"
#include "split.h"

struct run {
	struct pop3d_tctx *x;
	transcript *t;
	struct memback mb;
	correu_store_backend table;
	correu_store *store;
	correu_pop3_service *svc;
	struct core_drive main; /* the session, as the runtime drives it */
};

int pop3d_test_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 37u + 11u);
	return 0;
}

static int apop_secret(const char *user, size_t len, char *buf, size_t cap, size_t *len_out,
                       void *userdata)
{
	(void)userdata;
	if (len != strlen(MB_USER) || memcmp(user, MB_USER, len) != 0)
		return CORREU_ERR_NOT_FOUND;
	cr_assert_geq(cap, strlen(MB_PASSWORD));
	memcpy(buf, MB_PASSWORD, strlen(MB_PASSWORD));
	*len_out = strlen(MB_PASSWORD);
	return 0;
}

void pop3d_tctx_init(struct pop3d_tctx *x)
{
	memset(x, 0, sizeof(*x));
	cr_assert_eq(correu_pop3_server_settings_init(&x->set), 0);
	x->set.hostname = "pop.example";
	x->peer_flags = CORREU_SERVER_PEER_STARTTLS;
}

/* Bodies from "@ body N text" are unescaped by hand: \r \n \\ only. */
static void unescape(const char *s, char *o, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 1 < cap; s++) {
		if (s[0] == '\\' && s[1]) {
			s++;
			o[n++] = *s == 'r' ? '\r' : *s == 'n' ? '\n' : *s;
		} else {
			o[n++] = *s;
		}
	}
	o[n] = '\0';
}

static int option(void *ctx, const char *line)
{
	struct pop3d_tctx *x = ctx;
	char name[32];
	char arg[64] = "";
	unsigned long v;
	int at = 0;

	if (sscanf(line, "%31s %n%63s", name, &at, arg) < 1)
		return -1;
	v = strtoul(arg, NULL, 10);
	if (!strcmp(name, "tls"))
		x->peer_flags = CORREU_SERVER_PEER_TLS;
	else if (!strcmp(name, "plain"))
		x->peer_flags = 0;
	else if (!strcmp(name, "plaintext_auth"))
		x->set.flags |= CORREU_POP3_SERVER_PLAINTEXT_AUTH;
	else if (!strcmp(name, "no_user"))
		x->set.flags |= CORREU_POP3_SERVER_NO_USER;
	else if (!strcmp(name, "expire"))
		x->set.flags |= CORREU_POP3_SERVER_EXPIRE, x->set.expire_days = (uint32_t)v;
	else if (!strcmp(name, "expire_never"))
		x->set.flags |= CORREU_POP3_SERVER_EXPIRE, x->set.expire_days = CORREU_POP3_EXPIRE_NEVER;
	else if (!strcmp(name, "login_delay"))
		x->set.login_delay_s = (uint32_t)v;
	else if (!strcmp(name, "implementation"))
		x->set.implementation = "correu-test";
	else if (!strcmp(name, "later"))
		x->later = true;
	else if (!strcmp(name, "apop"))
		x->apop = true;
	else if (!strcmp(name, "random"))
		x->set.random = pop3d_test_random;
	else if (!strcmp(name, "no_expunge"))
		x->no_expunge = true;
	else if (!strcmp(name, "max_line"))
		x->set.max_line = (uint32_t)v;
	else if (!strcmp(name, "max_auth_line"))
		x->set.max_auth_line = (uint32_t)v;
	else if (!strcmp(name, "max_errors"))
		x->set.max_errors = (uint32_t)v;
	else if (!strcmp(name, "max_messages"))
		x->set.max_messages = (uint32_t)v;
	else if (!strcmp(name, "body") && v >= 1 && v <= 3) {
		const char *text = strchr(line + at, ' ');

		cr_assert(text != NULL, "@ body N text");
		unescape(text + 1, x->bodies[v - 1], sizeof(x->bodies[v - 1]));
	} else
		return -1;
	return 0;
}

static void sess_open(struct run *r, struct core_drive *k, uint64_t id)
{
	correu_server_peer peer = { .version = CORREU_SERVER_PEER_VERSION };

	peer.flags = r->x->peer_flags;
	peer.conn_id = id;
	peer.addr = "192.0.2.1";
	peer.port = 40000;
	peer.local_addr = "192.0.2.110";
	peer.local_port = 110;
	cd_open(k, correu_pop3_server_core(), &peer, r->svc, &r->mb, r->t);
}

static void *open_core(transcript *t, void *ctx)
{
	static struct memback fresh;
	static bool made;
	struct pop3d_tctx *x = ctx;
	struct run *r = calloc(1, sizeof(*r));
	struct mb_box *inbox;

	cr_assert(r != NULL);
	r->x = x;
	r->t = t;
	/* memback_init() derives SCRAM keys (4096 rounds of PBKDF2); a run per
	 * split offset would spend most of its time there, so the fresh
	 * backend is made once per test process and copied. */
	if (!made) {
		memback_init(&fresh);
		made = true;
	}
	r->mb = fresh;
	r->mb.later = x->later;
	inbox = &r->mb.boxes[0];
	for (int i = 0; i < 3; i++)
		if (x->bodies[i][0])
			snprintf(inbox->msgs[i].body, sizeof(inbox->msgs[i].body), "%s", x->bodies[i]);
	r->table = *memback_table();
	if (x->no_expunge)
		r->table.expunge = NULL;
	if (x->apop) {
		x->set.apop_secret = apop_secret;
	}
	cr_assert_eq(correu_store_new(&r->table, &r->mb, NULL, x->alloc, &r->store), 0);
	cr_assert_eq(correu_pop3_service_new(&x->set, r->store, x->alloc, &r->svc), 0);
	sess_open(r, &r->main, 1);
	return r;
}

static void close_core(void *core)
{
	struct run *r = core;

	cd_close(&r->main);
	cr_assert_eq(correu_store_live_requests(r->store), 0, "requests left behind");
	cr_assert_eq(r->mb.sessions_open, 0, "a store session was left open");
	cr_assert_eq(r->mb.boxes_open, 0, "a mailbox was left open");
	cr_assert_eq(r->mb.streams_open, 0, "a message stream was left open");
	correu_pop3_service_free(r->svc);
	correu_store_free(r->store);
	free(r);
}

static int recv_bytes(void *core, const uint8_t *p, size_t n)
{
	struct run *r = core;

	/* Bytes sent after the STLS go-ahead are the runtime's to drop; they
	 * stay kept until the "tls" action. */
	cd_feed(&r->main, p, n);
	return cd_pump_note(&r->main);
}

static const uint8_t *send_buf(void *core, size_t *len)
{
	return cd_send_buf(&((struct run *)core)->main, len);
}

static void send_ack(void *core, size_t n)
{
	cd_send_ack(&((struct run *)core)->main, n);
}

/* A second session of the same service: feed it `args` (escaped CRLF
 * lines), log each line it answers as "other: ...", then close it. */
static int other(struct run *r, const char *args, size_t len)
{
	struct core_drive k;
	const uint8_t *p;
	size_t n = 0;
	int rc;

	sess_open(r, &k, 2);
	k.now = r->main.now;
	cd_feed(&k, (const uint8_t *)args, len);
	rc = cd_pump(&k);
	p = cd_send_buf(&k, &n);
	for (size_t i = 0; i < n;) {
		const uint8_t *e = memchr(p + i, '\n', n - i);
		size_t l = e ? (size_t)(e - (p + i)) : n - i;

		transcript_event(r->t, "other: %.*s", (int)(l && p[i + l - 1] == '\r' ? l - 1 : l),
		                 (const char *)p + i);
		i += l + 1;
	}
	cd_close(&k);
	return rc;
}

static void log_inbox(struct run *r)
{
	const struct mb_box *b = &r->mb.boxes[0];
	struct split_out o = { NULL, 0, 0 };

	split_out_printf(&o, "inbox");
	for (size_t i = 0; i < b->count; i++)
		split_out_printf(&o, " %u%s%s", (unsigned)b->msgs[i].uid,
		                 (b->msgs[i].flags & CORREU_STORE_FLAG_SEEN) ? "S" : "",
		                 (b->msgs[i].flags & CORREU_STORE_FLAG_DELETED) ? "D" : "");
	transcript_event(r->t, "%s", o.text);
	free(o.text);
}

static int action(void *core, transcript *t, const char *verb, const char *args, size_t args_len)
{
	struct run *r = core;

	(void)t;
	if (!strcmp(verb, "inbox")) {
		log_inbox(r);
		return 0;
	}
	if (!strcmp(verb, "other"))
		return other(r, args, args_len);
	return cd_action(&r->main, verb, args);
}

const struct transcript_ops pop3d_transcript_ops = {
	option, open_core, close_core, recv_bytes, send_buf, send_ack, action,
};

void pop3d_run(struct pop3d_tctx *x, const char *dir, const char *name)
{
	transcript_run_file_roles(&pop3d_transcript_ops, x, dir, name, "CS");
}
