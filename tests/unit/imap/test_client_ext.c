/*
 * The extension calls of the IMAP client core at their edges: a
 * SETMETADATA value with a NUL is refused, a value of max_quoted bytes
 * goes quoted and one byte more as a literal, and the RETURN window's
 * extreme values are written in full.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "correu/imap.h"

static int on_event(const correu_imap_client_event *ev, void *userdata)
{
	(void)ev;
	(void)userdata;
	return 0;
}

static correu_imap_client *ready(const char *caps, uint32_t max_quoted)
{
	correu_imap_settings set;
	correu_imap_client *c;
	char greeting[256];
	int n;

	correu_imap_settings_init(&set);
	set.tls_policy = CORREU_IMAP_TLS_IMPLICIT;
	set.on_event = on_event;
	set.max_quoted = max_quoted;
	cr_assert_eq(correu_imap_client_new(&set, &c), 0);
	n = snprintf(greeting, sizeof(greeting), "* OK [CAPABILITY IMAP4rev1 %s] hi\r\n", caps);
	cr_assert_eq(correu_imap_client_recv(c, (const uint8_t *)greeting, (size_t)n, 0), n);
	return c;
}

/* Everything written so far, as text. */
static void sent(correu_imap_client *c, char *out, size_t cap)
{
	size_t len;
	const uint8_t *p = correu_imap_client_send_buf(c, &len);

	cr_assert(p && len < cap);
	memcpy(out, p, len);
	out[len] = '\0';
	cr_assert_eq(correu_imap_client_send_ack(c, len), 0);
}

Test(client_ext, metadata_value_quoted_up_to_max_quoted)
{
	correu_imap_client *c = ready("METADATA LITERAL+", 8);
	const char *e[1] = { "/private/x" }, *v[1];
	size_t el[1] = { 10 }, vl[1];
	char out[256];

	v[0] = "12345678";
	vl[0] = 8;
	cr_assert_gt(correu_imap_client_setmetadata(c, "INBOX", 5, e, el, v, vl, 1), 0);
	sent(c, out, sizeof(out));
	cr_assert_str_eq(out, "A1 SETMETADATA INBOX (/private/x \"12345678\")\r\n");
	v[0] = "123456789";
	vl[0] = 9;
	cr_assert_gt(correu_imap_client_setmetadata(c, "INBOX", 5, e, el, v, vl, 1), 0);
	sent(c, out, sizeof(out));
	cr_assert_str_eq(out, "A2 SETMETADATA INBOX (/private/x {9+}\r\n123456789)\r\n");
	/* RFC 9051 §9: no NUL in a string; nothing is queued. */
	v[0] = "a\0b";
	vl[0] = 3;
	cr_assert_eq(correu_imap_client_setmetadata(c, "INBOX", 5, e, el, v, vl, 1),
	             CORREU_ERR_ARG);
	{
		size_t len;

		cr_assert_null(correu_imap_client_send_buf(c, &len));
	}
	correu_imap_client_free(c);
}

Test(client_ext, partial_window_extremes)
{
	correu_imap_client *c = ready("ESEARCH PARTIAL", 1024);
	char out[256];

	cr_assert_gt(correu_imap_client_search_return(c, CORREU_IMAP_RETURN_PARTIAL, INT32_MAX,
	                                              INT32_MAX, NULL, "ALL", 3),
	             0);
	cr_assert_gt(correu_imap_client_search_return(c, CORREU_IMAP_RETURN_PARTIAL,
	                                              -INT32_MAX, -INT32_MAX, NULL, "ALL", 3),
	             0);
	sent(c, out, sizeof(out));
	cr_assert_str_eq(out, "A1 SEARCH RETURN (PARTIAL 2147483647:2147483647) ALL\r\n"
	                      "A2 SEARCH RETURN (PARTIAL -2147483647:-2147483647) ALL\r\n");
	/* INT32_MIN has no positive twin on the wire's other side: refused. */
	cr_assert_eq(correu_imap_client_search_return(c, CORREU_IMAP_RETURN_PARTIAL, -1,
	                                              INT32_MIN, NULL, "ALL", 3),
	             CORREU_ERR_ARG);
	correu_imap_client_free(c);
}
