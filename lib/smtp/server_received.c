/*
 * The trace header every message gets (SMTP layer, server side; RFC 5321
 * section 4.4): who sent it (the HELO name and the address as an address
 * literal), who took it, with which protocol (RFC 3848 and RFC 6531
 * section 3.7.3: ESMTP, ESMTPA, ESMTPS, ESMTPSA, LMTP..., UTF8SMTP...),
 * for whom when there is one recipient, and when. The HELO name was
 * checked to be a domain or literal, so nothing the client chose can break
 * the header's syntax.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "smtpd_int.h"

static const char *protocol(const correu__smtpd *s, char buf[16])
{
	const char *base;

	if (s->svc->set.mode == CORREU_SMTP_SERVER_LMTP)
		base = "LMTP";
	else if (s->env_flags & CORREU_STORE_ENV_SMTPUTF8)
		base = "UTF8SMTP";
	else
		base = s->esmtp ? "ESMTP" : "SMTP";
	/* Plain SMTP (HELO) has no S and A forms. */
	if (strcmp(base, "SMTP") == 0)
		return base;
	snprintf(buf, 16, "%s%s%s", base, s->tls ? "S" : "", s->user_len ? "A" : "");
	return buf;
}

/* RFC 5322 section 3.3 date-time, in UTC. */
static void date_time(const correu__smtpd *s, char out[40])
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	const correu_smtp_server_settings *set = &s->svc->set;
	int64_t secs = 0;
	time_t t;
	struct tm tm;

	if (set->clock) {
		if (set->clock(&secs, set->clock_userdata) < 0)
			secs = 0;
	} else {
		secs = (int64_t)time(NULL);
	}
	t = (time_t)secs;
	if (!gmtime_r(&t, &tm)) {
		t = 0;
		(void)gmtime_r(&t, &tm);
	}
	snprintf(out, 40, "%s, %d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
	         months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int correu__smtpd_received(correu__smtpd *s, correu__buf *out)
{
	char proto[16], date[40], literal[CORREU__ADDR_TEXT + 8];
	char line[2 * SMTPD_MAX_DOMAIN + SMTPD_MAX_PATH + 256];
	int n;

	/* TCP-info is an address literal; IPv6 ones are tagged (RFC 5321
	 * section 4.1.3). */
	if (strchr(s->addr, ':'))
		snprintf(literal, sizeof(literal), "[IPv6:%s]", s->addr);
	else if (s->addr[0])
		snprintf(literal, sizeof(literal), "[%s]", s->addr);
	else
		snprintf(literal, sizeof(literal), "[127.0.0.1]");
	date_time(s, date);
	n = snprintf(line, sizeof(line), "Received: from %s (%s)\r\n\tby %s with %s", s->helo,
	             literal, s->svc->host, protocol(s, proto));
	if (n > 0 && s->naccepted == 1)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "\r\n\tfor <%.*s>",
		              (int)s->first_rcpt_len, s->first_rcpt);
	if (n > 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "; %s\r\n", date);
	if (n < 0 || (size_t)n >= sizeof(line))
		return CORREU_ERR_INTERNAL;
	return correu__buf_append(out, line, (size_t)n);
}
