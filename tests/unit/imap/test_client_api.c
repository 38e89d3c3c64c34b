/*
 * The IMAP client core's API edges: settings checks, calls in the wrong
 * state, the limits at and one past their value (LITERAL- at 4096 bytes,
 * max_quoted, max_queue, max_output), a literal bigger than the output
 * buffer, readers that fail, and tls_done from inside the callback.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "correu/imap.h"

struct cap {
	int starttls, ready, done, error;
	uint32_t last_status;
	correu_imap_client *c;
	int tls_rc;
};

static int on_event(const correu_imap_client_event *ev, void *userdata)
{
	struct cap *k = userdata;

	switch (ev->type) {
	case CORREU_IMAP_CLIENT_EV_STARTTLS:
		k->starttls++;
		/* Upgrading from the callback would let the rest of this read
		 * pass as TLS: refused. */
		k->tls_rc = correu_imap_client_tls_done(k->c);
		break;
	case CORREU_IMAP_CLIENT_EV_READY: k->ready++; break;
	case CORREU_IMAP_CLIENT_EV_DONE:
		k->done++;
		k->last_status = ev->status;
		break;
	case CORREU_IMAP_CLIENT_EV_ERROR: k->error = ev->error; break;
	default: break;
	}
	return 0;
}

static correu_imap_client *make(struct cap *k, const char *greeting, uint32_t policy,
                                correu_imap_settings *tweak)
{
	correu_imap_settings s;

	memset(k, 0, sizeof(*k));
	if (tweak)
		s = *tweak;
	else
		correu_imap_settings_init(&s);
	s.tls_policy = policy;
	s.on_event = on_event;
	s.event_userdata = k;
	cr_assert_eq(correu_imap_client_new(&s, &k->c), 0);
	if (greeting)
		cr_assert_eq(correu_imap_client_recv(k->c, (const uint8_t *)greeting,
		                                     strlen(greeting), 0),
		             (correu_ssize)strlen(greeting));
	return k->c;
}

/* Everything written so far, as a NUL-terminated string (caller frees). */
static char *take(correu_imap_client *c)
{
	char *all = calloc(1, 1);
	size_t n = 0, len;
	const uint8_t *p;

	while ((p = correu_imap_client_send_buf(c, &len)) && len) {
		all = realloc(all, n + len + 1);
		memcpy(all + n, p, len);
		n += len;
		all[n] = '\0';
		cr_assert_eq(correu_imap_client_send_ack(c, len), 0);
	}
	return all;
}

static correu_ssize feed(correu_imap_client *c, const char *s)
{
	return correu_imap_client_recv(c, (const uint8_t *)s, strlen(s), 0);
}

Test(api, settings_checked)
{
	correu_imap_settings s;
	correu_imap_client *c = (correu_imap_client *)&s;

	correu_imap_settings_init(&s);
	cr_assert_eq(correu_imap_client_new(&s, &c), CORREU_ERR_ARG, "no callback");
	cr_assert_null(c);
	s.on_event = on_event;
	cr_assert_eq(correu_imap_client_new(NULL, &c), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_client_new(&s, NULL), CORREU_ERR_ARG);
	s.flags = 0x80;
	cr_assert_eq(correu_imap_client_new(&s, &c), CORREU_ERR_ARG);
	s.flags = 0;
	s.tls_policy = 4;
	cr_assert_eq(correu_imap_client_new(&s, &c), CORREU_ERR_ARG);
	s.tls_policy = 0;
	s.max_output = 1023;
	cr_assert_eq(correu_imap_client_new(&s, &c), CORREU_ERR_ARG);
	s.max_output = 1024;
	cr_assert_eq(correu_imap_client_new(&s, &c), 0);
	correu_imap_client_free(c);
	s.version = 2;
	cr_assert_eq(correu_imap_client_new(&s, &c), CORREU_ERR_ARG);
	correu_imap_client_free(NULL);
}

Test(api, not_ready)
{
	struct cap k;
	correu_imap_client *c = make(&k, NULL, CORREU_IMAP_TLS_IMPLICIT, NULL);

	cr_assert_eq(correu_imap_client_noop(c), CORREU_ERR_STATE);
	cr_assert_eq(correu_imap_client_begin(c, "X", 1), CORREU_ERR_STATE);
	cr_assert_eq(correu_imap_client_idle_done(c), CORREU_ERR_STATE);
	cr_assert(correu_imap_client_want_read(c));
	cr_assert_eq(correu_imap_client_next_deadline(c), 60000);
	cr_assert_eq(correu_imap_client_noop(NULL), CORREU_ERR_ARG);
	correu_imap_client_free(c);
}

Test(api, tls_done_from_callback)
{
	struct cap k;
	correu_imap_client *c = make(&k, "* OK [CAPABILITY IMAP4rev2 STARTTLS] hi\r\n",
	                             CORREU_IMAP_TLS_REQUIRED, NULL);
	char *w = take(c);

	cr_assert_str_eq(w, "A1 STARTTLS\r\n");
	free(w);
	cr_assert_eq(feed(c, "A1 OK go\r\n"), 10);
	cr_assert_eq(k.starttls, 1);
	cr_assert_eq(k.tls_rc, CORREU_ERR_STATE);
	cr_assert_not(correu_imap_client_want_read(c));
	cr_assert_eq(correu_imap_client_next_deadline(c), UINT64_MAX);
	cr_assert_eq(correu_imap_client_tls_done(c), 0);
	cr_assert_eq(correu_imap_client_tls_done(c), CORREU_ERR_STATE);
	w = take(c);
	cr_assert_str_eq(w, "A2 CAPABILITY\r\n");
	free(w);
	correu_imap_client_free(c);
}

/* A string of n bytes holding a CR, so it must be a literal. */
static char *crstring(size_t n)
{
	char *s = malloc(n);

	memset(s, 'a', n);
	s[0] = '\r';
	return s;
}

Test(api, literal_minus_limit)
{
	struct cap k;
	correu_imap_client *c = make(&k, "* OK [CAPABILITY IMAP4rev2 LITERAL-] hi\r\n",
	                             CORREU_IMAP_TLS_IMPLICIT, NULL);
	char *s = crstring(4097), *w;

	cr_assert_eq(k.ready, 1);
	/* At the limit: non-synchronizing. */
	cr_assert_eq(correu_imap_client_begin(c, "X", 1), 0);
	cr_assert_eq(correu_imap_client_add_string(c, s, 4096), 0);
	cr_assert_eq(correu_imap_client_end(c), 1);
	w = take(c);
	cr_assert_eq(strncmp(w, "A1 X {4096+}\r\n\r", 15), 0);
	cr_assert_eq(strlen(w), 14 + 4096 + 2);
	free(w);
	/* One past: synchronizing, nothing of it before the "+". */
	cr_assert_eq(correu_imap_client_begin(c, "X", 1), 0);
	cr_assert_eq(correu_imap_client_add_string(c, s, 4097), 0);
	cr_assert_eq(correu_imap_client_end(c), 2);
	w = take(c);
	cr_assert_str_eq(w, "A2 X {4097}\r\n");
	free(w);
	cr_assert_eq(feed(c, "+ ok\r\n"), 6);
	w = take(c);
	cr_assert_eq(strlen(w), 4097 + 2);
	free(w);
	free(s);
	correu_imap_client_free(c);
}

Test(api, max_quoted_limit)
{
	struct cap k;
	correu_imap_settings s;
	correu_imap_client *c;
	char *w;

	correu_imap_settings_init(&s);
	s.max_quoted = 5;
	c = make(&k, "* OK [CAPABILITY IMAP4rev2 LITERAL+] hi\r\n", CORREU_IMAP_TLS_IMPLICIT, &s);
	cr_assert_eq(correu_imap_client_begin(c, "X", 1), 0);
	cr_assert_eq(correu_imap_client_add_string(c, "ab de", 5), 0);
	cr_assert_eq(correu_imap_client_add_string(c, "ab def", 6), 0);
	cr_assert_eq(correu_imap_client_end(c), 1);
	w = take(c);
	cr_assert_str_eq(w, "A1 X \"ab de\" {6+}\r\nab def\r\n");
	free(w);
	correu_imap_client_free(c);
}

Test(api, max_queue_limit)
{
	struct cap k;
	correu_imap_settings s;
	correu_imap_client *c;
	char *big = malloc(200);

	correu_imap_settings_init(&s);
	s.max_queue = 100;
	c = make(&k, "* OK [CAPABILITY IMAP4rev2 LITERAL+] hi\r\n", CORREU_IMAP_TLS_IMPLICIT, &s);
	memset(big, 'a', 200);
	/* "A1 X" (4) + 94 raw bytes + CRLF = 100: at the limit. */
	cr_assert_eq(correu_imap_client_begin(c, "X", 1), 0);
	cr_assert_eq(correu_imap_client_add_raw(c, big, 94), 0);
	cr_assert_eq(correu_imap_client_end(c), 1);
	free(take(c));
	cr_assert_eq(correu_imap_client_begin(c, "X", 1), 0);
	cr_assert_eq(correu_imap_client_add_raw(c, big, 95), 0);
	cr_assert_eq(correu_imap_client_end(c), CORREU_ERR_LIMIT);
	cr_assert_eq(correu_imap_client_begin(c, "X", 1), 0);
	cr_assert_eq(correu_imap_client_add_raw(c, big, 200), CORREU_ERR_LIMIT);
	correu_imap_client_cancel(c);
	free(big);
	correu_imap_client_free(c);
}

static correu_ssize fill(uint8_t *buf, size_t len, void *userdata)
{
	size_t *left = userdata;

	cr_assert_leq(len, *left);
	memset(buf, 'm', len);
	*left -= len;
	return (correu_ssize)len;
}

Test(api, literal_larger_than_output)
{
	struct cap k;
	correu_imap_settings s;
	correu_imap_client *c;
	size_t left = 5000, len, total = 0;
	const uint8_t *p;

	correu_imap_settings_init(&s);
	s.max_output = 1024;
	c = make(&k, "* OK [CAPABILITY IMAP4rev2 LITERAL+] hi\r\n", CORREU_IMAP_TLS_IMPLICIT, &s);
	cr_assert_eq(correu_imap_client_append(c, "INBOX", 5, NULL, NULL, 5000, 0, fill, &left), 1);
	cr_assert_eq(correu_imap_client_noop(c), 2);
	while ((p = correu_imap_client_send_buf(c, &len)) && len) {
		cr_assert_leq(len, 1024);
		total += len;
		/* Write in small pieces, as a slow socket does. */
		cr_assert_eq(correu_imap_client_send_ack(c, len > 300 ? 300 : len), 0);
		total -= len > 300 ? len - 300 : 0;
	}
	cr_assert_eq(left, 0);
	cr_assert_eq(total,
	             strlen("A1 APPEND INBOX {5000+}\r\n") + 5000 + 2 + strlen("A2 NOOP\r\n"));
	cr_assert_eq(correu_imap_client_send_ack(c, 1), CORREU_ERR_ARG);
	correu_imap_client_free(c);
}

static correu_ssize failing(uint8_t *buf, size_t len, void *userdata)
{
	(void)buf;
	(void)len;
	return *(correu_ssize *)userdata;
}

Test(api, reader_fails)
{
	struct cap k;
	correu_ssize codes[] = { CORREU_ERR_IO, 0 };
	int want[] = { CORREU_ERR_IO, CORREU_ERR_INCOMPLETE };

	for (int i = 0; i < 2; i++) {
		correu_imap_client *c = make(&k, "* OK [CAPABILITY IMAP4rev2 LITERAL+] hi\r\n",
		                             CORREU_IMAP_TLS_IMPLICIT, NULL);

		cr_assert_eq(correu_imap_client_append(c, "INBOX", 5, NULL, NULL, 10, 0, failing,
		                                       &codes[i]),
		             want[i]);
		cr_assert_eq(k.error, want[i]);
		cr_assert_eq(correu_imap_client_noop(c), want[i]);
		correu_imap_client_free(c);
	}
}

Test(api, refused_while_literal_drains)
{
	struct cap k;
	correu_imap_settings s;
	correu_imap_client *c;
	size_t left = 3000, len;
	char *w;

	/* A non-synchronizing literal refused while it is still going out
	 * is sent whole all the same: the server reads it either way. */
	correu_imap_settings_init(&s);
	s.max_output = 1024;
	c = make(&k, "* OK [CAPABILITY IMAP4rev2 LITERAL+] hi\r\n", CORREU_IMAP_TLS_IMPLICIT, &s);
	cr_assert_eq(correu_imap_client_append(c, "INBOX", 5, NULL, NULL, 3000, 0, fill, &left), 1);
	cr_assert_eq(correu_imap_client_noop(c), 2);
	cr_assert(correu_imap_client_send_buf(c, &len) && len == 1024);
	cr_assert_gt(feed(c, "A1 NO [TOOBIG] too big\r\n"), 0);
	cr_assert_eq(k.done, 1);
	cr_assert_eq(k.last_status, CORREU_IMAP_RESP_NO);
	w = take(c);
	cr_assert_eq(strlen(w),
	             strlen("A1 APPEND INBOX {3000+}\r\n") + 3000 + 2 + strlen("A2 NOOP\r\n"));
	cr_assert_str_eq(w + strlen(w) - 9, "A2 NOOP\r\n");
	free(w);
	cr_assert_eq(feed(c, "A2 OK\r\n"), 7);
	cr_assert_eq(k.done, 2);
	cr_assert(correu_imap_client_idle(c));
	correu_imap_client_free(c);
}

Test(api, capability_queries)
{
	struct cap k;
	correu_imap_client *c = make(&k,
	                             "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 "
	                             "THREAD=ORDEREDSUBJECT X-custom] hi\r\n",
	                             CORREU_IMAP_TLS_IMPLICIT, NULL);
	size_t len;
	const char *m = correu_imap_client_sasl_mechs(c, &len);

	cr_assert_eq(len, strlen("PLAIN XOAUTH2"));
	cr_assert_eq(memcmp(m, "PLAIN XOAUTH2", len), 0);
	cr_assert_eq(correu_imap_client_caps(c),
	             CORREU_IMAP_CAP_IMAP4REV1 | CORREU_IMAP_CAP_THREAD);
	cr_assert(correu_imap_client_has_cap(c, "x-CUSTOM", 8));
	cr_assert_not(correu_imap_client_has_cap(c, "X", 1));
	cr_assert_eq(correu_imap_client_idle_start(c), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_imap_client_enable(c, CORREU_IMAP_CAP_QRESYNC), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_imap_client_enable(c, CORREU_IMAP_CAP_IDLE), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_client_copy(c, CORREU_IMAP_CMD_MOVE, 0, "1", "A", 1),
	             CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_imap_client_expunge(c, "1:2"), CORREU_ERR_UNSUPPORTED);
	correu_imap_client_free(c);
}
