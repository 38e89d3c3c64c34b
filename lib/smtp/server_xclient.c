/*
 * XCLIENT (SMTP layer, server side): Postfix's extension by which a proxy
 * or content filter in front of this server hands over the real client's
 * address, HELO name, protocol and login. Only networks the service trusts
 * may use it (elsewhere the verb is unknown). The values are xtext; every
 * one is checked before any is applied, and then the session starts over
 * with a new greeting, as Postfix does, so the client says hello again.
 */
#include <string.h>

#include "smtpd_int.h"

struct xclient_vals {
	char addr[CORREU__ADDR_TEXT];
	char helo[SMTPD_MAX_DOMAIN + 1];
	char login[256];
	bool has_addr, has_helo, has_login, esmtp, has_proto;
	size_t helo_len, login_len;
};

static int one(const char *kw, size_t kwlen, const char *v, size_t vlen, struct xclient_vals *x)
{
	char buf[SMTPD_MAX_DOMAIN + 1];
	correu_ssize n = correu__smtpd_xtext_decode(v, vlen, buf, sizeof(buf) - 1);
	bool unknown;
	correu__addr a;

	if (n < 0)
		return CORREU_ERR_SYNTAX;
	buf[n] = '\0';
	unknown = strcmp(buf, "[UNAVAILABLE]") == 0 || strcmp(buf, "[TEMPUNAVAIL]") == 0;
	if (correu__smtpd_kw(kw, kwlen, "ADDR")) {
		const char *p = buf;

		if (unknown)
			return 0;
		if ((size_t)n > 5 && correu__smtpd_kw(p, 5, "IPV6:"))
			p += 5;
		if (correu__addr_parse(&a, p, strlen(p)) < 0 || strlen(p) >= sizeof(x->addr))
			return CORREU_ERR_SYNTAX;
		memcpy(x->addr, p, strlen(p) + 1);
		x->has_addr = true;
	} else if (correu__smtpd_kw(kw, kwlen, "HELO")) {
		if (unknown)
			return 0;
		if (correu__smtp_check_domain(buf, (size_t)n) < 0)
			return CORREU_ERR_SYNTAX;
		memcpy(x->helo, buf, (size_t)n + 1);
		x->helo_len = (size_t)n;
		x->has_helo = true;
	} else if (correu__smtpd_kw(kw, kwlen, "LOGIN")) {
		if (unknown)
			return 0;
		if (n == 0 || (size_t)n >= sizeof(x->login))
			return CORREU_ERR_SYNTAX;
		memcpy(x->login, buf, (size_t)n + 1);
		x->login_len = (size_t)n;
		x->has_login = true;
	} else if (correu__smtpd_kw(kw, kwlen, "PROTO")) {
		if (correu__smtpd_kw(buf, (size_t)n, "ESMTP"))
			x->esmtp = true;
		else if (!correu__smtpd_kw(buf, (size_t)n, "SMTP"))
			return CORREU_ERR_SYNTAX;
		x->has_proto = true;
	} else if (!correu__smtpd_kw(kw, kwlen, "NAME") && !correu__smtpd_kw(kw, kwlen, "PORT") &&
	           !correu__smtpd_kw(kw, kwlen, "DESTADDR") &&
	           !correu__smtpd_kw(kw, kwlen, "DESTPORT")) {
		return CORREU_ERR_SYNTAX;
	}
	return 0;
}

int correu__smtpd_xclient(correu__smtpd *s, const correu__smtpd_cmd *c)
{
	struct xclient_vals x;
	size_t i = 0;

	if (s->delivery)
		return correu__smtpd_reply(s, 503, "5.5.1",
		                           "Not permitted during a mail transaction");
	memset(&x, 0, sizeof(x));
	while (i < c->arg_len) {
		size_t start = i, eq;

		while (i < c->arg_len && c->arg[i] != ' ')
			i++;
		for (eq = start; eq < i && c->arg[eq] != '='; eq++)
			;
		if (eq == i || eq == start ||
		    one(c->arg + start, eq - start, c->arg + eq + 1, i - eq - 1, &x) < 0)
			return correu__smtpd_reply(s, 501, "5.5.4", "Bad XCLIENT attribute");
		while (i < c->arg_len && c->arg[i] == ' ')
			i++;
	}
	if (c->arg_len == 0)
		return correu__smtpd_reply(s, 501, "5.5.4", "Syntax: XCLIENT attribute=value ...");
	if (x.has_addr)
		memcpy(s->addr, x.addr, sizeof(s->addr));
	if (x.has_login) {
		memcpy(s->user, x.login, x.login_len + 1);
		s->user_len = x.login_len;
	}
	correu__smtpd_auth_clear(s);
	s->helo_len = 0;
	s->esmtp = false;
	if (x.has_helo) {
		memcpy(s->helo, x.helo, x.helo_len + 1);
		s->helo_len = x.helo_len;
		s->helo_locked = true;
		s->esmtp = x.has_proto ? x.esmtp : true;
	}
	return correu__smtpd_greet(s);
}
