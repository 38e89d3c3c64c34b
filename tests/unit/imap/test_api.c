/* The parser's API contract: settings and arguments, poisoning by a
 * callback, reset, pending input, changing flags, the name tables and
 * the sequence-set reader. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "imap_test.h"

static int ok_event(const correu_imap_event *ev, void *userdata)
{
	(void)ev;
	(void)userdata;
	return 0;
}

static int refuse_event(const correu_imap_event *ev, void *userdata)
{
	(void)userdata;
	return ev->type == CORREU_IMAP_EV_END ? CORREU_ERR_CANCELLED : 0;
}

Test(imap_api, settings_and_arguments)
{
	correu_imap_parser_settings s;
	correu_imap_parser *p = (correu_imap_parser *)&s;

	correu_imap_parser_settings_init(NULL);
	correu_imap_parser_settings_init(&s);
	cr_assert_eq(s.version, CORREU_IMAP_PARSER_SETTINGS_VERSION);
	cr_assert_eq(correu_imap_parser_new(&s, &p), CORREU_ERR_ARG, "no callback");
	cr_assert_null(p);
	s.on_event = ok_event;
	cr_assert_eq(correu_imap_parser_new(NULL, &p), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_parser_new(&s, NULL), CORREU_ERR_ARG);
	s.flags = 0x80;
	cr_assert_eq(correu_imap_parser_new(&s, &p), CORREU_ERR_ARG, "unknown flag");
	s.flags = 0;
	s.version = 99;
	cr_assert_eq(correu_imap_parser_new(&s, &p), CORREU_ERR_ARG, "unknown version");
	s.version = CORREU_IMAP_PARSER_SETTINGS_VERSION;
	cr_assert_eq(correu_imap_parser_new(&s, &p), 0);
	cr_assert_eq(correu_imap_parser_feed(NULL, NULL, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_parser_feed(p, NULL, 1), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_parser_feed(p, NULL, 0), 0);
	cr_assert_eq(correu_imap_parser_set_flags(p, 0x80), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_parser_set_flags(p, CORREU_IMAP_PARSER_NORMALISE_EOL),
	             CORREU_ERR_ARG, "the line policy is fixed at creation");
	cr_assert_eq(correu_imap_parser_set_flags(NULL, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_parser_pending(NULL), 0);
	correu_imap_parser_free(p);
	correu_imap_parser_free(NULL);
	correu_imap_parser_reset(NULL);
}

Test(imap_api, callback_error_poisons_until_reset)
{
	correu_imap_parser_settings s;
	correu_imap_parser *p;
	const uint8_t ok[] = "* OK hi\r\n";

	correu_imap_parser_settings_init(&s);
	s.on_event = refuse_event;
	cr_assert_eq(correu_imap_parser_new(&s, &p), 0);
	cr_assert_eq(correu_imap_parser_feed(p, ok, sizeof(ok) - 1), CORREU_ERR_CANCELLED);
	cr_assert_eq(correu_imap_parser_feed(p, ok, sizeof(ok) - 1), CORREU_ERR_POISONED);
	correu_imap_parser_reset(p);
	cr_assert_eq(correu_imap_parser_feed(p, ok, 3), 0);
	cr_assert_eq(correu_imap_parser_pending(p), 1, "inside a line");
	correu_imap_parser_free(p);
}

Test(imap_api, pending_inside_a_response)
{
	correu_imap_parser_settings s;
	correu_imap_parser *p;
	const char *in = "* 1 FETCH (BODY[] {3}\r\nab";

	correu_imap_parser_settings_init(&s);
	s.on_event = ok_event;
	cr_assert_eq(correu_imap_parser_new(&s, &p), 0);
	cr_assert_eq(correu_imap_parser_pending(p), 0);
	cr_assert_eq(correu_imap_parser_feed(p, (const uint8_t *)in, strlen(in)), 0);
	cr_assert_eq(correu_imap_parser_pending(p), 1, "inside a literal");
	cr_assert_eq(correu_imap_parser_feed(p, (const uint8_t *)"c)\r\n", 4), 0);
	cr_assert_eq(correu_imap_parser_pending(p), 0);
	correu_imap_parser_free(p);
}

/* UTF8=ACCEPT can be switched on after ENABLE; it applies from the next
 * response on. */
static int record_mailbox(const correu_imap_event *ev, void *userdata)
{
	if (ev->type == CORREU_IMAP_EV_ITEM && ev->item == CORREU_IMAP_ITEM_MAILBOX) {
		char *out = userdata;

		strncat(out, ev->str[0], ev->str_len[0]);
		strcat(out, "|");
	}
	return 0;
}

Test(imap_api, utf8_flag_at_runtime)
{
	correu_imap_parser_settings s;
	correu_imap_parser *p;
	char names[64] = "";
	const char *line = "* LIST () \"/\" \"A&AOQ-\"\r\n";

	correu_imap_parser_settings_init(&s);
	s.on_event = record_mailbox;
	s.event_userdata = names;
	cr_assert_eq(correu_imap_parser_new(&s, &p), 0);
	cr_assert_eq(correu_imap_parser_feed(p, (const uint8_t *)line, strlen(line)), 0);
	cr_assert_eq(correu_imap_parser_set_flags(p, CORREU_IMAP_PARSER_UTF8), 0);
	cr_assert_eq(correu_imap_parser_feed(p, (const uint8_t *)line, strlen(line)), 0);
	cr_assert_str_eq(names, "A\xc3\xa4|A&AOQ-|");
	correu_imap_parser_free(p);
}

Test(imap_api, normalise_eol)
{
	correu_imap_parser_settings s;

	imap_settings(&s);
	imap_expect(&s, "* OK a\n* OK b\r\n",
	            "ERROR ? CORREU_ERR_BARE_EOL @0 bare CR or LF in a line\n");
	s.flags = CORREU_IMAP_PARSER_NORMALISE_EOL;
	imap_expect(
		&s, "* OK a\n* 1 FETCH (BODY[] {2}\nxy)\n",
		"BEGIN OK\nEND OK s0=\"a\"\nBEGIN FETCH num=1\n"
		"LIT BODY_SECTION num=1 num3=2 s0=\"\"\nLITEND data=\"xy\" num=1 num3=2 s0=\"\"\n"
		"END FETCH\n");
}

Test(imap_api, names)
{
	cr_assert_str_eq(correu_imap_resp_name(CORREU_IMAP_RESP_FETCH), "FETCH");
	cr_assert_str_eq(correu_imap_resp_name(0), "?");
	cr_assert_str_eq(correu_imap_resp_name(1000), "?");
	cr_assert_str_eq(correu_imap_item_name(CORREU_IMAP_ITEM_ENV_SUBJECT), "ENV_SUBJECT");
	cr_assert_str_eq(correu_imap_item_name(CORREU_IMAP_ITEM_OTHER), "OTHER");
	cr_assert_str_eq(correu_imap_item_name(9999), "?");
	cr_assert_str_eq(correu_imap_code_name(CORREU_IMAP_CODE_READ_ONLY), "READ-ONLY");
	cr_assert_str_eq(correu_imap_code_name(CORREU_IMAP_CODE_NONEXISTENT), "NONEXISTENT");
	cr_assert_str_eq(correu_imap_code_name(CORREU_IMAP_CODE_NONE), "");
	cr_assert_str_eq(correu_imap_code_name(CORREU_IMAP_CODE_OTHER), "?");
}

/* All ranges of a set as "a-b," text, or "ERR". */
static void ranges(const char *set, const char *want)
{
	char got[256] = "";
	size_t pos = 0;
	uint32_t a, b;
	int rc;

	while ((rc = correu_imap_seqset_next(set, strlen(set), &pos, &a, &b)) > 0) {
		char one[32];

		snprintf(one, sizeof(one), "%u-%u,", a, b);
		strcat(got, one);
	}
	if (rc < 0)
		strcat(got, "ERR");
	cr_assert_str_eq(got, want, "set \"%s\"", set);
}

Test(imap_api, seqset)
{
	uint32_t a, b;
	size_t pos = 0;

	ranges("1:4,7,9:*", "1-4,7-7,9-4294967295,");
	ranges("5:2", "2-5,");
	ranges("4294967295", "4294967295-4294967295,");
	ranges("", "");
	ranges("4294967296", "ERR");
	ranges("0", "ERR");
	ranges("01", "ERR");
	ranges("1,", "1-1,ERR");
	ranges("1::2", "ERR");
	ranges("1:2x", "ERR");
	ranges(",1", "ERR");
	cr_assert_eq(correu_imap_seqset_next(NULL, 1, &pos, &a, &b), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_seqset_next("1", 1, NULL, &a, &b), CORREU_ERR_ARG);
}

struct log_rec {
	int warn, trace;
	char last_warn[128];
};

static void on_log(int level, const char *msg, size_t len, void *userdata)
{
	struct log_rec *r = userdata;

	if (level == CORREU_LOG_WARN) {
		r->warn++;
		snprintf(r->last_warn, sizeof(r->last_warn), "%.*s", (int)len, msg);
	} else if (level == CORREU_LOG_TRACE) {
		r->trace++;
	}
}

Test(imap_api, logger)
{
	correu_imap_parser_settings s;
	correu_logger lg = { CORREU_LOGGER_VERSION, CORREU_LOG_TRACE, on_log, NULL };
	struct log_rec r = { 0, 0, "" };
	correu_imap_parser *p;
	const char *in = "* 1 FETCH (BODY[] {2}\r\nab)\r\n* 2 FETCH (UID x)\r\n";

	lg.userdata = &r;
	correu_imap_parser_settings_init(&s);
	s.on_event = ok_event;
	s.logger = &lg;
	cr_assert_eq(correu_imap_parser_new(&s, &p), 0);
	cr_assert_eq(correu_imap_parser_feed(p, (const uint8_t *)in, strlen(in)), 0);
	cr_assert_eq(r.warn, 1);
	cr_assert_str_eq(r.last_warn, "imap parser: malformed response at 28: expected a number");
	cr_assert_eq(r.trace, 2, "line -> streamed literal -> line");
	correu_imap_parser_free(p);
}
