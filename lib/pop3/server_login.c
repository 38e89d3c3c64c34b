/*
 * Logging in with USER/PASS and APOP, and opening the maildrop (POP3
 * layer, server side; RFC 1939 sections 4, 7 and 8). Passwords are checked
 * only through the store; a failure is reported to the runtime's back-off,
 * whose delay holds the "-ERR [AUTH]" back (RFC 3206 section 4), and past
 * the per-session cap the session ends. USER/PASS is refused before TLS
 * unless plaintext is allowed by name. Once the user is known the maildrop
 * is locked (one POP3 session per user), opened and listed, and the
 * session enters the TRANSACTION state.
 */
#include <stdio.h>
#include <string.h>

#include "pop3d_int.h"

int correu__pop3d_make_ts(correu__pop3d *s, uint64_t conn_id)
{
	static const char hex[] = "0123456789abcdef";
	const correu_pop3_server_settings *set = &s->svc->set;
	uint8_t rnd[16];
	char rhex[33], probe[32];
	int n;

	s->ts[0] = '\0';
	s->ts_len = 0;
	/* APOP needs the plaintext secret, an unpredictable timestamp
	 * (RFC 1939 section 7: it must differ for every greeting) and MD5. */
	if (!set->apop_secret || !set->random ||
	    correu__pop3_apop_digest("", 0, "", 0, probe) < 0)
		return 0;
	if (set->random(rnd, sizeof(rnd), set->random_userdata) < 0)
		return 0; /* no APOP this time, rather than a guessable one */
	for (size_t i = 0; i < sizeof(rnd); i++) {
		rhex[2 * i] = hex[rnd[i] >> 4];
		rhex[2 * i + 1] = hex[rnd[i] & 15];
	}
	rhex[32] = '\0';
	n = snprintf(s->ts, sizeof(s->ts), "<%s.%llu@%s>", rhex, (unsigned long long)conn_id,
	             s->svc->host);
	if (n < 0 || (size_t)n >= sizeof(s->ts))
		return CORREU_ERR_INTERNAL;
	s->ts_len = (size_t)n;
	return 0;
}

static void forget_user(correu__pop3d *s)
{
	correu_wipe(s->user, sizeof(s->user));
	s->user_len = 0;
	s->user_given = false;
}

static int set_user(correu__pop3d *s, const char *p, size_t len)
{
	if (len == 0 || len > POP3D_MAX_USER || correu__pop3_check_arg(p, len, false) < 0)
		return CORREU_ERR_ARG;
	memcpy(s->user, p, len);
	s->user[len] = '\0';
	s->user_len = len;
	return 0;
}

int correu__pop3d_auth_failed(correu__pop3d *s, const char *code, const char *text)
{
	uint32_t delay = 0;
	int rc = 0;

	forget_user(s);
	if (s->conn)
		rc = correu_server_conn_auth_failure(s->conn, s->now, &delay);
	if (rc == CORREU_ERR_LIMIT)
		return correu__pop3d_close_err(s, code, "Too many authentication failures");
	correu__server_out_hold(&s->out, s->now, delay);
	return correu__pop3d_err(s, code, text);
}

/* A password may not be sent over this connection (not TLS). */
static int refuse_plaintext(correu__pop3d *s)
{
	/* Dovecot's words; RFC 2595 section 4 asks clients to try STLS. */
	return correu__pop3d_err(s, "AUTH",
	                         "Plaintext authentication disallowed on non-secure connections");
}

int correu__pop3d_user(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	if (!correu__pop3d_plain_ok(s) && !(s->svc->set.flags & CORREU_POP3_SERVER_NO_USER))
		return refuse_plaintext(s);
	if (!correu__pop3d_user_offered(s))
		return correu__pop3d_err(s, NULL, "USER not available");
	if (s->user_given)
		return correu__pop3d_err(s, NULL, "USER already given, send PASS");
	if (set_user(s, c->arg, c->arg_len) < 0)
		return correu__pop3d_err(s, NULL, "Bad user name");
	s->user_given = true;
	/* RFC 1939 section 7: the same answer for every name, so that user
	 * names cannot be probed. */
	return correu__pop3d_ok(s, NULL);
}

int correu__pop3d_pass(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	correu_store_req *req;
	int rc;

	if (!s->user_given)
		return correu__pop3d_err(s, NULL, "Send USER first");
	if (!correu__pop3d_plain_ok(s))
		return refuse_plaintext(s);
	s->user_given = false;
	rc = correu__pop3d_req(s, W_PASS, &req);
	if (rc < 0)
		return rc;
	/* RFC 1939 section 7: the password is the rest of the line, spaces
	 * included. The store copies it and wipes the copy. */
	return correu__pop3d_started(
		s, correu_store_auth_password(req, s->user, s->user_len, c->arg, c->arg_len));
}

static bool temporary(int rc)
{
	return rc != CORREU_ERR_AUTH && rc != CORREU_ERR_NOT_FOUND && rc != CORREU_ERR_ARG;
}

int correu__pop3d_pass_done(correu__pop3d *s, int rc)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	if (rc == CORREU_ERR_NOMEM)
		return rc;
	if (rc < 0 && temporary(rc)) {
		forget_user(s);
		return correu__pop3d_err(s, "SYS/TEMP", "Temporary authentication failure");
	}
	if (rc < 0)
		return correu__pop3d_auth_failed(s, "AUTH", "Authentication failed");
	/* The canonical user name, when the store gave one. */
	if (correu_store_req_result(s->req, &r) == 0 && r.text && r.text_len &&
	    set_user(s, r.text, r.text_len) < 0)
		return correu__pop3d_auth_failed(s, "AUTH", "Authentication failed");
	return correu__pop3d_login(s);
}

static bool digest_eq(const char *a, const char *b)
{
	unsigned diff = 0;

	/* Constant time: the digest must not leak by timing. Hex case is
	 * folded (RFC 1939 says lower case; some clients send upper). */
	for (size_t i = 0; i < 32; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'F')
			x = (char)(x - 'A' + 'a');
		diff |= (unsigned)(x ^ y);
	}
	return diff == 0;
}

int correu__pop3d_apop(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	const correu_pop3_server_settings *set = &s->svc->set;
	const char *name, *dig;
	size_t nlen, dlen, slen = 0;
	char secret[POP3D_MAX_SECRET], want[32];
	int rc;

	if (!correu__pop3d_apop_offered(s))
		return correu__pop3d_err(s, NULL, "APOP not available");
	if (s->user_given)
		return correu__pop3d_err(s, NULL, "USER already given, send PASS");
	if (correu__pop3d_two(c->arg, c->arg_len, &name, &nlen, &dig, &dlen) < 0 || dlen != 32 ||
	    set_user(s, name, nlen) < 0)
		return correu__pop3d_err(s, NULL, "Usage: APOP name digest");
	rc = set->apop_secret(s->user, s->user_len, secret, sizeof(secret), &slen,
	                      set->apop_userdata);
	if (rc == 0 && slen > sizeof(secret))
		rc = CORREU_ERR_INTERNAL;
	if (rc == 0)
		rc = correu__pop3_apop_digest(s->ts, s->ts_len, secret, slen, want);
	correu_wipe(secret, sizeof(secret));
	if (rc == 0 && !digest_eq(dig, want))
		rc = CORREU_ERR_AUTH;
	correu_wipe(want, sizeof(want));
	if (rc == CORREU_ERR_AUTH || rc == CORREU_ERR_NOT_FOUND)
		return correu__pop3d_auth_failed(s, "AUTH", "Authentication failed");
	if (rc < 0) {
		forget_user(s);
		return correu__pop3d_err(s, "SYS/TEMP", "Temporary authentication failure");
	}
	return correu__pop3d_login(s);
}

/* Leave the maildrop and go back to the AUTHORIZATION state. */
static int login_failed(correu__pop3d *s, const char *code, const char *text)
{
	correu__pop3d_maildrop_free(s);
	forget_user(s);
	return correu__pop3d_err(s, code, text);
}

int correu__pop3d_login(correu__pop3d *s)
{
	correu_store_req *req;
	int rc;

	s->user_given = false;
	if (s->conn && correu_server_conn_auth_success(s->conn) < 0)
		return CORREU_ERR_INTERNAL;
	/* RFC 1939 section 8, RFC 2449 section 8.1.2. */
	if (!correu__pop3d_lock(s)) {
		forget_user(s);
		return correu__pop3d_err(s, "IN-USE", "Mailbox is locked by another POP3 session");
	}
	rc = correu__pop3d_req(s, W_SESSION, &req);
	if (rc < 0)
		return rc;
	return correu__pop3d_started(s, correu_store_session_open(req, s->user, s->user_len));
}

static int open_refused(correu__pop3d *s, int rc)
{
	if (rc == CORREU_ERR_NOMEM)
		return rc;
	if (rc == CORREU_ERR_NOT_FOUND)
		return login_failed(s, "SYS/PERM", "No mailbox for this user");
	/* A select refused as busy: another process holds the maildrop
	 * (CORREU_STORE_SELECT_POP3). A session refused as busy: the backend
	 * enforces the advertised LOGIN-DELAY (RFC 2449 section 8.1.1). */
	if (rc == CORREU_ERR_BUSY && s->session)
		return login_failed(s, "IN-USE", "Mailbox is in use");
	if (rc == CORREU_ERR_BUSY && s->svc->set.login_delay_s)
		return login_failed(s, "LOGIN-DELAY", "Too soon since the last login");
	return login_failed(s, "SYS/TEMP", "Mailbox not available, try again later");
}

int correu__pop3d_session_done(correu__pop3d *s, int rc)
{
	correu_store_req *req;

	if (rc == 0)
		rc = correu_store_req_take_session(s->req, &s->session);
	if (rc < 0)
		return open_refused(s, rc);
	rc = correu__pop3d_req(s, W_SELECT, &req);
	if (rc < 0)
		return rc;
	return correu__pop3d_started(
		s, correu_store_select(req, s->session, "INBOX", 5, CORREU_STORE_SELECT_POP3));
}

int correu__pop3d_select_done(correu__pop3d *s, int rc)
{
	correu_store_status st = { .version = CORREU_STORE_STATUS_VERSION };

	if (s->too_many)
		return login_failed(s, "SYS/PERM", "Maildrop has too many messages for POP3");
	if (rc == 0)
		rc = correu_store_req_take_box(s->req, &s->box);
	if (rc == 0)
		rc = correu_store_req_status(s->req, &st);
	if (rc < 0)
		return open_refused(s, rc);
	s->uidvalidity = st.uidvalidity;
	s->state = PS_TRANS;
	return correu__pop3d_ok_maildrop(s, "Logged in,");
}
