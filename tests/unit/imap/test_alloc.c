/* Allocation failure: the parser allocates its handle and buffers at
 * creation and grows the unit, unescaping, mailbox-name and section
 * buffers while parsing; failing any one allocation must give a clean
 * CORREU_ERR_NOMEM (the parser then refuses more input) and leak nothing. */
#include <criterion/criterion.h>
#include <string.h>

#include "failalloc.h"
#include "imap_test.h"

static int count_event(const correu_imap_event *ev, void *userdata)
{
	(void)ev;
	(*(long *)userdata)++;
	return 0;
}

/* Input that needs every growable buffer: an inline literal (unit), a
 * quoted string with escapes (scratch), a modified UTF-7 name (name) and a
 * streamed section (section). */
static const char input[] = "* LIST () \"/\" {5}\r\nabcde\r\n"
			    "* LIST () \"/\" \"a\\\"b\"\r\n"
			    "* LIST () \"/\" \"Entw&APw-rfe\"\r\n"
			    "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {3}\r\nabc)\r\n";

static int scenario(void *ctx, const correu_allocator *a)
{
	correu_imap_parser_settings s;
	correu_imap_parser *p;
	long events = 0;
	int rc;

	(void)ctx;
	correu_imap_parser_settings_init(&s);
	s.allocator = a;
	s.on_event = count_event;
	s.event_userdata = &events;
	rc = correu_imap_parser_new(&s, &p);
	if (rc < 0) {
		cr_assert_eq(rc, CORREU_ERR_NOMEM);
		return rc;
	}
	rc = correu_imap_parser_feed(p, (const uint8_t *)input, strlen(input));
	if (rc < 0) {
		cr_assert_eq(rc, CORREU_ERR_NOMEM);
		/* Poisoned: nothing more is parsed. */
		cr_assert_eq(correu_imap_parser_feed(p, (const uint8_t *)"* OK\r\n", 6),
		             CORREU_ERR_POISONED);
	}
	correu_imap_parser_free(p);
	return rc;
}

Test(imap_alloc, every_allocation_fails_cleanly)
{
	long clean = failalloc_loop(scenario, NULL, 100);

	/* handle, line decoder, line buffer, body stack, then the four
	 * buffers that grow while parsing */
	cr_assert_geq(clean, 8);
}
