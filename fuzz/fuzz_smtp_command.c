/*
 * libFuzzer harness for the SMTP server's command parser (SMTP layer,
 * server side): one command line split into verb and argument, then read
 * as MAIL FROM and RCPT TO with their parameters, each parameter value
 * xtext-decoded and read as a number, and the path checked as a mailbox.
 * Every view the parser returns must lie inside the line.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smtp/smtpd_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *line, size_t len, const char *p, size_t n)
{
	if (n && ((const uint8_t *)p < line || (const uint8_t *)p + n > line + len))
		__builtin_trap();
}

static void addr(const uint8_t *line, size_t len, const correu__smtpd_cmd *c, bool rcpt)
{
	correu__smtpd_addr_cmd a;
	char buf[SMTPD_MAX_ORCPT];
	uint64_t v;

	if (correu__smtpd_parse_addr(c->arg, c->arg_len, rcpt, &a) < 0)
		return;
	inside(line, len, a.path, a.path_len);
	if (a.path_len + 2 > SMTPD_MAX_PATH || a.nparams > SMTPD_MAX_PARAMS)
		__builtin_trap();
	(void)correu__smtpd_check_mailbox(a.path, a.path_len, true, rcpt);
	(void)correu__smtpd_check_mailbox(a.path, a.path_len, false, rcpt);
	for (size_t i = 0; i < a.nparams; i++) {
		const correu__smtpd_param *p = &a.params[i];
		correu_ssize n;

		inside(line, len, p->kw, p->kw_len);
		if (!p->has_val)
			continue;
		inside(line, len, p->val, p->val_len);
		n = correu__smtpd_xtext_decode(p->val, p->val_len, buf, sizeof(buf));
		if (n > (correu_ssize)sizeof(buf))
			__builtin_trap();
		for (correu_ssize k = 0; k < n; k++)
			if ((unsigned char)buf[k] < 0x20 || buf[k] == 0x7f)
				__builtin_trap();
		(void)correu__smtpd_u64(p->val, p->val_len, &v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	correu__smtpd_cmd c;

	correu__smtpd_parse_cmd(data, size, &c);
	if (c.arg_len)
		inside(data, size, c.arg, c.arg_len);
	addr(data, size, &c, false);
	addr(data, size, &c, true);
	return 0;
}
