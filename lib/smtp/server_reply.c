/*
 * Replies of the SMTP server (SMTP layer, server side): code, enhanced
 * status code and text (RFC 5321 section 4.2, RFC 2034, RFC 3463), every
 * reply with an enhanced code since ENHANCEDSTATUSCODES is always offered.
 * Error replies are counted: past `error_delay_after` each is held back
 * `error_delay_ms` (a deadline, never a sleep), and past `max_errors` the
 * session ends with 421, which slows down address harvesting and blind
 * command injection alike.
 */
#include <stdio.h>
#include <string.h>

#include "smtpd_int.h"

void correu__smtpd_log(correu__smtpd *s, int level, const char *msg)
{
	if (s->conn && correu_server_conn_log(s->conn, level, msg, strlen(msg)) < 0)
		return;
}

int correu__smtpd_reply_line(correu__smtpd *s, uint32_t code, bool last, const char *enh,
                             const char *text, size_t text_len)
{
	char head[32];
	int n;
	int rc;

	n = snprintf(head, sizeof(head), "%03u%c%s%s", (unsigned)code, last ? ' ' : '-',
	             enh ? enh : "", enh && text_len ? " " : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return CORREU_ERR_INTERNAL;
	rc = correu__buf_append(&s->out.buf, head, (size_t)n);
	if (rc == 0)
		rc = correu__buf_append(&s->out.buf, text, text_len);
	/* Offered once whole, unless an earlier reply is being held back. */
	if (rc == 0)
		rc = correu__server_out_append(&s->out, "\r\n", 2);
	return rc;
}

/* Count an error reply about to be queued; a delay holds it back. */
static void count_error(correu__smtpd *s, bool *close_out)
{
	const correu_smtp_server_settings *set = &s->svc->set;

	s->errors++;
	*close_out = s->errors >= set->max_errors && s->phase != PH_CLOSING;
	if (!*close_out && s->errors > set->error_delay_after)
		correu__server_out_hold(&s->out, s->now, set->error_delay_ms);
}

int correu__smtpd_reply(correu__smtpd *s, uint32_t code, const char *enh, const char *text)
{
	return correu__smtpd_reply_n(s, code, enh, text, strlen(text));
}

int correu__smtpd_reply_n(correu__smtpd *s, uint32_t code, const char *enh, const char *text,
                          size_t len)
{
	bool close = false;
	char def[8];
	int rc;

	if (!enh) {
		snprintf(def, sizeof(def), "%u.0.0", (unsigned)(code / 100) % 10);
		enh = def;
	}
	if (code >= 400 && code != 421)
		count_error(s, &close);
	rc = correu__smtpd_reply_line(s, code, true, enh, text, len);
	if (rc == 0 && close)
		rc = correu__smtpd_close_421(s, "4.7.0", "Too many errors, closing connection");
	return rc;
}

int correu__smtpd_reply_store(correu__smtpd *s, const correu_store_result *r)
{
	char enh[40];
	uint32_t code = r->reply_code;

	/* A backend that failed without a reply: a temporary local error. */
	if (code < 200 || code > 599)
		return correu__smtpd_reply(s, 451, "4.3.0",
		                           "Temporary local problem, try again later");
	if (r->enhanced[0] == code / 100)
		snprintf(enh, sizeof(enh), "%u.%u.%u", (unsigned)r->enhanced[0],
		         (unsigned)r->enhanced[1], (unsigned)r->enhanced[2]);
	else
		snprintf(enh, sizeof(enh), "%u.0.0", (unsigned)(code / 100));
	if (!r->text || r->text_len == 0)
		return correu__smtpd_reply(s, code, enh, "Ok");
	return correu__smtpd_reply_n(s, code, enh, r->text, r->text_len);
}

int correu__smtpd_close_421(correu__smtpd *s, const char *enh, const char *text)
{
	int rc;

	/* Anything held back goes out first, then the farewell. */
	correu__server_out_release(&s->out);
	rc = correu__smtpd_reply_line(s, 421, true, enh, text, strlen(text));
	s->phase = PH_CLOSING;
	return rc;
}
