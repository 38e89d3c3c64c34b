/*
 * The store layer's SASL bridge (lib/store/store_sasl.h), which the SMTP
 * and POP3 server cores share: which mechanisms are offered for which
 * store capabilities, the base64 step, and whole exchanges against the
 * in-memory backend answering now and later: the canonical user name, a
 * wrong password, proxy authorization refused, the user-name limit, a
 * store that cannot answer, and allocation failure.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "correu/codec.h"
#include "failalloc.h"
#include "memback.h"
#include "store/store_sasl.h"

#define ALL_AUTH \
	(CORREU_STORE_CAP_AUTH_PASSWORD | CORREU_STORE_CAP_AUTH_SCRAM | CORREU_STORE_CAP_AUTH_TOKEN)

static bool have_scram(void)
{
	return correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256) > 0;
}

static int fake_random(uint8_t *buf, size_t len, void *ud)
{
	(void)ud;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	return 0;
}

/* The offered names, space separated, as a NUL-terminated string. */
static int list(uint32_t caps, bool random, char *out, size_t cap)
{
	correu__buf b;
	int n;

	correu__buf_init(&b, NULL, 1024);
	n = correu__store_sasl_mechs(&b, " ", caps, random);
	cr_assert_lt(b.len, cap);
	if (b.len)
		memcpy(out, b.data, b.len);
	out[b.len] = '\0';
	correu__buf_free(&b, false);
	/* Counting alone gives the same number. */
	cr_assert_eq(correu__store_sasl_mechs(NULL, NULL, caps, random), n);
	return n;
}

Test(store_sasl, offers_best_first)
{
	char names[256];

	if (have_scram()) {
		cr_assert_eq(list(ALL_AUTH, true, names, sizeof(names)), 6);
		cr_assert_str_eq(names,
		                 "SCRAM-SHA-256 SCRAM-SHA-1 PLAIN LOGIN OAUTHBEARER XOAUTH2");
	}
	/* Without a random source there are no SCRAM nonces. */
	cr_assert_eq(list(ALL_AUTH, false, names, sizeof(names)), 4);
	cr_assert_str_eq(names, "PLAIN LOGIN OAUTHBEARER XOAUTH2");
	cr_assert_eq(list(CORREU_STORE_CAP_AUTH_PASSWORD, true, names, sizeof(names)), 2);
	cr_assert_str_eq(names, "PLAIN LOGIN");
	cr_assert_eq(list(CORREU_STORE_CAP_AUTH_TOKEN, true, names, sizeof(names)), 2);
	cr_assert_str_eq(names, "OAUTHBEARER XOAUTH2");
	cr_assert_eq(list(CORREU_STORE_CAP_DELIVERY, true, names, sizeof(names)), 0);
	cr_assert_str_eq(names, "");
}

Test(store_sasl, list_limit)
{
	correu__buf b;

	/* "PLAIN LOGIN" is 11 bytes: fits at 11, not at 10. */
	correu__buf_init(&b, NULL, 11);
	cr_assert_eq(correu__store_sasl_mechs(&b, " ", CORREU_STORE_CAP_AUTH_PASSWORD, false), 2);
	correu__buf_free(&b, false);
	correu__buf_init(&b, NULL, 10);
	cr_assert_eq(correu__store_sasl_mechs(&b, " ", CORREU_STORE_CAP_AUTH_PASSWORD, false),
	             CORREU_ERR_LIMIT);
	correu__buf_free(&b, false);
}

Test(store_sasl, find)
{
	uint32_t pw = CORREU_STORE_CAP_AUTH_PASSWORD;

	cr_assert_eq(correu__store_sasl_mech_find("plain", 5, pw, false), CORREU_SASL_PLAIN);
	cr_assert_eq(correu__store_sasl_mech_find("LOGIN", 5, pw, false), CORREU_SASL_LOGIN);
	/* Only the given length counts. */
	cr_assert_eq(correu__store_sasl_mech_find("PLAIN LOGIN", 5, pw, false), CORREU_SASL_PLAIN);
	cr_assert_eq(correu__store_sasl_mech_find("PLA", 3, pw, false), 0);
	cr_assert_eq(correu__store_sasl_mech_find("PLAINX", 6, pw, false), 0);
	/* Known to the SASL layer, but the store cannot verify it. */
	cr_assert_eq(correu__store_sasl_mech_find("CRAM-MD5", 8, ALL_AUTH, true), 0);
	cr_assert_eq(correu__store_sasl_mech_find("EXTERNAL", 8, ALL_AUTH, true), 0);
	cr_assert_eq(correu__store_sasl_mech_find("XOAUTH2", 7, pw, true), 0);
	cr_assert_eq(correu__store_sasl_mech_find("SCRAM-SHA-256", 13, ALL_AUTH, false), 0);
	cr_assert_eq(correu__store_sasl_mech_find("SCRAM-SHA-256", 13, ALL_AUTH, true),
	             have_scram() ? CORREU_SASL_SCRAM_SHA_256 : 0);
}

/* ------------------------------------------------------------------ */
/* Whole exchanges                                                     */

struct ex {
	struct memback mb;
	correu_store *store;
	correu_sasl_server *sasl;
	correu__store_sasl x;
	int ask_rc; /* what correu__store_sasl_ask() returned */
};

static int ex_open(struct ex *e, bool later, bool broken, const correu_allocator *a)
{
	memset(e, 0, sizeof(*e));
	memback_init(&e->mb);
	e->mb.later = later;
	/* Broken: the password check fails for a reason not the client's. */
	e->mb.auth_error = broken ? CORREU_ERR_IO : 0;
	return correu_store_new(memback_table(), &e->mb, NULL, a, &e->store);
}

static void ex_close(struct ex *e)
{
	correu_sasl_server_free(e->sasl);
	correu__store_sasl_clear(&e->x);
	correu_store_free(e->store);
}

/*
 * Run `mech` with the base64 initial response `ir` through the bridge as a
 * server core would: step, ask the store, wait for it when it answers
 * later, feed the verdict back. Returns the final SASL status.
 */
static int exchange(struct ex *e, int mech, const char *ir, const correu_allocator *a)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };
	correu_store_req *req;
	const uint8_t *out;
	size_t out_len;
	int st, rc;

	rc = correu__store_sasl_new(&e->x, mech, a, fake_random, NULL, "mx.example", &e->sasl);
	if (rc < 0)
		return rc;
	st = correu__store_sasl_step_b64(e->sasl, a, (const uint8_t *)ir, strlen(ir), true, &out,
	                                 &out_len);
	if (st != CORREU_SASL_NEED_CREDENTIALS)
		return st;
	rc = correu_store_req_new(e->store, NULL, NULL, &req);
	if (rc < 0)
		return rc;
	e->ask_rc = rc = correu__store_sasl_ask(&e->x, e->sasl, req);
	if (rc == CORREU_PAUSE) {
		cr_assert_eq(memback_run(&e->mb), 1);
		cr_assert_eq(correu_store_req_result(req, &r), 0);
		rc = r.status;
	}
	st = correu__store_sasl_answer(&e->x, e->sasl, req, rc, &out, &out_len);
	correu_store_req_free(req);
	return st;
}

static char *b64(const char *raw, size_t len, char *out, size_t cap)
{
	correu_ssize n = correu_base64_encode((const uint8_t *)raw, len, out, cap);

	cr_assert_geq(n, 0);
	out[n] = '\0';
	return out;
}

#define PLAIN(s) b64(s, sizeof(s) - 1, ir, sizeof(ir))

ParameterizedTestParameters(store_sasl, exchanges)
{
	static bool later[] = { false, true };

	return cr_make_param_array(bool, later, 2);
}

ParameterizedTest(bool *later, store_sasl, exchanges)
{
	struct ex e;
	char ir[1024];

	/* The store's canonical name replaces the one the client typed. */
	cr_assert_eq(ex_open(&e, *later, false, NULL), 0);
	cr_assert_eq(exchange(&e, CORREU_SASL_PLAIN, PLAIN("\0alice\0pencil"), NULL),
	             CORREU_SASL_SUCCESS);
	cr_assert_eq(e.x.op, CORREU_STORE_OP_AUTH_PASSWORD);
	cr_assert_str_eq(e.x.user, "Alice");
	ex_close(&e);

	cr_assert_eq(ex_open(&e, *later, false, NULL), 0);
	cr_assert_eq(exchange(&e, CORREU_SASL_PLAIN, PLAIN("\0alice\0wrong"), NULL),
	             CORREU_ERR_AUTH);
	ex_close(&e);

	/* An authzid that names the user itself is fine ... */
	cr_assert_eq(ex_open(&e, *later, false, NULL), 0);
	cr_assert_eq(exchange(&e, CORREU_SASL_PLAIN, PLAIN("alice\0alice\0pencil"), NULL),
	             CORREU_SASL_SUCCESS);
	ex_close(&e);

	/* ... one that names someone else is refused without asking the store. */
	cr_assert_eq(ex_open(&e, *later, false, NULL), 0);
	cr_assert_eq(exchange(&e, CORREU_SASL_PLAIN, PLAIN("bob\0alice\0pencil"), NULL),
	             CORREU_ERR_AUTH);
	cr_assert_eq(e.ask_rc, CORREU_ERR_AUTH);
	cr_assert_eq(e.x.op, 0);
	ex_close(&e);

	/* The store could not answer: a temporary failure, not the client's. */
	cr_assert_eq(ex_open(&e, *later, true, NULL), 0);
	cr_assert_eq(exchange(&e, CORREU_SASL_PLAIN, PLAIN("\0alice\0pencil"), NULL),
	             CORREU_ERR_BUSY);
	ex_close(&e);
}

/* The user name: CORREU__STORE_SASL_USER bytes are asked about; one more
 * never reaches the store. */
Test(store_sasl, user_limit)
{
	char raw[CORREU__STORE_SASL_USER + 16], ir[1024];
	struct ex e;
	size_t n;
	int st;

	for (size_t len = CORREU__STORE_SASL_USER; len <= CORREU__STORE_SASL_USER + 1; len++) {
		raw[0] = '\0';
		memset(raw + 1, 'u', len);
		memcpy(raw + 1 + len, "\0pw", 3);
		n = 1 + len + 3;
		cr_assert_eq(ex_open(&e, false, false, NULL), 0);
		st = exchange(&e, CORREU_SASL_PLAIN, b64(raw, n, ir, sizeof(ir)), NULL);
		if (len == CORREU__STORE_SASL_USER) {
			/* Asked, and unknown to the store. */
			cr_assert_eq(st, CORREU_ERR_AUTH);
			cr_assert_eq(e.x.op, CORREU_STORE_OP_AUTH_PASSWORD);
		} else {
			/* The SASL layer's own limit (the same default) stops it. */
			cr_assert_lt(st, 0);
			cr_assert_eq(e.x.op, 0);
			cr_assert_eq(e.ask_rc, 0);
		}
		ex_close(&e);
	}
}

Test(store_sasl, base64_step)
{
	correu_sasl_server *a, *b;
	correu__store_sasl x;
	const uint8_t *out;
	size_t out_len;
	int st_eq, st_empty;

	/* "=" as the initial response is an empty one, the same as no bytes. */
	cr_assert_eq(correu__store_sasl_new(&x, CORREU_SASL_PLAIN, NULL, NULL, NULL, "h", &a), 0);
	cr_assert_eq(correu__store_sasl_new(&x, CORREU_SASL_PLAIN, NULL, NULL, NULL, "h", &b), 0);
	cr_assert_eq(x.mech, CORREU_SASL_PLAIN);
	st_eq = correu__store_sasl_step_b64(a, NULL, (const uint8_t *)"=", 1, true, &out, &out_len);
	st_empty = correu_sasl_server_step(b, (const uint8_t *)"", 0, &out, &out_len);
	cr_assert_eq(st_eq, st_empty);
	correu_sasl_server_free(a);
	correu_sasl_server_free(b);

	/* Later in the exchange "=" is just bad base64; so is "*x". */
	cr_assert_eq(correu__store_sasl_new(&x, CORREU_SASL_LOGIN, NULL, NULL, NULL, "h", &a), 0);
	cr_assert_eq(correu_sasl_server_start(a, &out, &out_len), CORREU_SASL_CHALLENGE);
	cr_assert_eq(correu__store_sasl_step_b64(a, NULL, (const uint8_t *)"=", 1, false, &out,
	                                         &out_len),
	             CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__store_sasl_step_b64(a, NULL, (const uint8_t *)"*x", 2, false, &out,
	                                         &out_len),
	             CORREU_ERR_SYNTAX);
	/* The handle was not stepped: a good answer still works. */
	cr_assert_eq(correu__store_sasl_step_b64(a, NULL, (const uint8_t *)"YWxpY2U=", 8, false,
	                                         &out, &out_len),
	             CORREU_SASL_CHALLENGE);
	correu_sasl_server_free(a);
}

static int alloc_scenario(void *ctx, const correu_allocator *a)
{
	bool later = *(bool *)ctx;
	struct ex e;
	char ir[64];
	int st;

	st = ex_open(&e, later, false, a);
	if (st < 0)
		return st;
	st = exchange(&e, CORREU_SASL_PLAIN, PLAIN("\0alice\0pencil"), a);
	/* A store request the allocator refused is the store's failure. */
	if (st == CORREU_SASL_SUCCESS)
		cr_assert_str_eq(e.x.user, "Alice");
	ex_close(&e);
	if (st == CORREU_ERR_BUSY)
		st = CORREU_ERR_NOMEM;
	return st == CORREU_SASL_SUCCESS ? 0 : st;
}

Test(store_sasl, alloc_failure)
{
	bool later = false;

	cr_assert_gt(failalloc_loop(alloc_scenario, &later, 200), 2);
	later = true;
	cr_assert_gt(failalloc_loop(alloc_scenario, &later, 200), 2);
}
