/*
 * USER/PASS and APOP (POP3 layer, RFC 1939 §7). USER/PASS sends the
 * password in clear, so it is refused without TLS unless the application
 * allowed it; PASS is queued with USER but sent only after USER is
 * accepted. APOP sends the MD5 digest of the greeting's timestamp and the
 * password instead, which needs the timestamp.
 */
#include <string.h>

#include "pop3_internal.h"

/* Format "VERB arg[ arg2]" CRLF into b, refusing lines over max_command. */
static int format(correu__buf *b, const char *verb, const char *a, size_t alen, const char *a2,
                  size_t a2len)
{
	int rc = correu__pop3_append_str(b, verb);

	if (rc == 0)
		rc = correu__buf_append(b, " ", 1);
	if (rc == 0)
		rc = correu__buf_append(b, a, alen);
	if (rc == 0 && a2) {
		rc = correu__buf_append(b, " ", 1);
		if (rc == 0)
			rc = correu__buf_append(b, a2, a2len);
	}
	if (rc == 0)
		rc = correu__buf_append(b, "\r\n", 2);
	/* The buffer's limit is max_command: too long is a bad argument. */
	return rc == CORREU_ERR_LIMIT ? CORREU_ERR_ARG : rc;
}

static int can_login(const correu_pop3_client *c)
{
	int rc = correu__pop3_can_queue(c);

	if (rc < 0)
		return rc;
	return c->login == LOGIN_NONE ? 0 : CORREU_ERR_STATE;
}

int correu_pop3_client_user(correu_pop3_client *c, const char *user, size_t user_len,
                            const char *pass, size_t pass_len)
{
	correu__buf u, p;
	int rc;

	if (!c || !user || user_len == 0 || (pass_len && !pass) ||
	    correu__pop3_check_arg(user, user_len, false) < 0 ||
	    correu__pop3_check_arg(pass, pass_len, false) < 0)
		return CORREU_ERR_ARG;
	rc = can_login(c);
	if (rc < 0)
		return rc;
	if (!c->tls && !(c->set.flags & CORREU_POP3_ALLOW_PLAINTEXT_AUTH))
		return CORREU_ERR_TLS_REQUIRED;
	/* RFC 2449 §6.4: a server that lists its capabilities without USER
	 * does not take USER/PASS. */
	if (c->caps.answered && !(c->caps.mask & CORREU_POP3_CAP_USER))
		return CORREU_ERR_UNSUPPORTED;
	correu__buf_init(&u, c->alloc, c->set.max_command);
	correu__buf_init(&p, c->alloc, c->set.max_command);
	rc = format(&u, "USER", user, user_len, NULL, 0);
	if (rc == 0)
		rc = format(&p, "PASS", pass ? pass : "", pass_len, NULL, 0);
	/* Both or neither: room is made for the pair before either goes in. */
	if (rc == 0)
		rc = correu__pop3_reserve(c, 2, u.len + p.len);
	if (rc == 0) {
		c->login = LOGIN_PENDING;
		rc = correu__pop3_queue(c, CORREU_POP3_CMD_USER, 0, false, u.data, u.len);
		if (rc == 0)
			rc = correu__pop3_queue(c, CORREU_POP3_CMD_PASS, 0, false, p.data, p.len);
	}
	correu__buf_free(&u, false);
	correu__buf_free(&p, true);
	if (rc == 0)
		correu__log(&c->logger, CORREU_LOG_INFO, "pop3: USER/PASS login");
	return rc;
}

int correu_pop3_client_apop(correu_pop3_client *c, const char *user, size_t user_len,
                            const char *pass, size_t pass_len)
{
	char digest[32];
	correu__buf b;
	int rc;

	if (!c || !user || user_len == 0 || (pass_len && !pass) ||
	    correu__pop3_check_arg(user, user_len, true) < 0)
		return CORREU_ERR_ARG;
	rc = can_login(c);
	if (rc < 0)
		return rc;
	if (!c->timestamp)
		return CORREU_ERR_UNSUPPORTED;
	rc = correu__pop3_apop_digest(c->timestamp, c->timestamp_len, pass ? pass : "", pass_len,
	                              digest);
	if (rc < 0)
		return rc;
	correu__buf_init(&b, c->alloc, c->set.max_command);
	rc = format(&b, "APOP", user, user_len, digest, sizeof(digest));
	if (rc == 0)
		rc = correu__pop3_queue(c, CORREU_POP3_CMD_APOP, 0, false, b.data, b.len);
	if (rc == 0)
		c->login = LOGIN_PENDING;
	correu__buf_free(&b, true);
	correu_wipe(digest, sizeof(digest));
	if (rc == 0)
		correu__log(&c->logger, CORREU_LOG_INFO, "pop3: APOP login");
	return rc;
}
