/*
 * The password file (passwd.h): format and round trip, lines made by
 * Dovecot's doveadm (and doveadm checking ours when it is installed),
 * malformed lines with their numbers, limits at and past the edge, editing,
 * the atomic save, password checks through PLAIN and a SCRAM exchange, the
 * backend adapter, and allocation failure.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correu/passwd.h"
#include "failalloc.h"

/* Made with `doveadm pw -s SCRAM-SHA-256 -p secret` and `-s SCRAM-SHA-1`
 * (Dovecot 2.3); kept here so the test runs where Dovecot is absent. */
#define DOVE_256                                        \
	"{SCRAM-SHA-256}4096,Pn8aA/2V8MEZu52ZJFgH9g==," \
	"Spbl7potXTJiSfXbtx2M+7iRH89qIZ8TRiCBxPdaDgI=," \
	"0RGSqYe0mQdki1J7oiHx7ufwLutePesAm47POUuTCmA="
#define DOVE_1                                                                     \
	"{SCRAM-SHA-1}4096,p3FJoxUySNTGdaAkRDJpkw==,swSBPHg3kxqw9+x/lisJTX92b+E=," \
	"qfw98vh/DlWiXz9PQlL8af3H6uY="

static correu_passwd *load_text(const char *text, uint32_t flags)
{
	correu_passwd_settings s;
	correu_passwd *pw;
	uint32_t line = 99;
	int rc;

	cr_assert_eq(correu_passwd_settings_init(&s), 0);
	s.flags = flags;
	cr_assert_eq(correu_passwd_new(&s, NULL, &pw), 0);
	rc = correu_passwd_parse(pw, (const uint8_t *)text, strlen(text), &line);
	cr_assert_eq(rc, 0, "parse failed: %s", correu_passwd_error(pw));
	cr_assert_eq(line, 0);
	return pw;
}

static char *format(const correu_passwd *pw)
{
	size_t len;
	char *out;

	cr_assert_eq(correu_passwd_format(pw, NULL, 0, &len), len ? CORREU_ERR_BUFFER : 0);
	out = calloc(1, len + 1);
	cr_assert_eq(correu_passwd_format(pw, (uint8_t *)out, len, &len), 0);
	return out;
}

static int fake_random(uint8_t *buf, size_t len, void *ud)
{
	uint32_t *state = ud;

	for (size_t i = 0; i < len; i++) {
		*state = *state * 1103515245u + 12345u;
		buf[i] = (uint8_t)(*state >> 16);
	}
	return 0;
}

Test(passwd, dovecot_lines_verify_without_any_plaintext)
{
	correu_passwd *pw = load_text("bob:" DOVE_256 "\ncarol:" DOVE_1 "\n", 0);
	uint32_t scheme;

	cr_assert_eq(correu_passwd_count(pw), 2);
	cr_assert_eq(correu_passwd_lookup(pw, "bob", 3, &scheme), 0);
	cr_assert_eq(scheme, CORREU_PASSWD_SCRAM_SHA_256);
	cr_assert_eq(correu_passwd_verify(pw, "bob", 3, "secret", 6), 0);
	cr_assert_eq(correu_passwd_verify(pw, "bob", 3, "Secret", 6), CORREU_ERR_AUTH);
	cr_assert_eq(correu_passwd_verify(pw, "carol", 5, "secret", 6), 0);
	cr_assert_eq(correu_passwd_verify(pw, "carol", 5, "", 0), CORREU_ERR_AUTH);
	cr_assert_eq(correu_passwd_verify(pw, "dave", 4, "secret", 6), CORREU_ERR_AUTH);
	cr_assert_eq(correu_passwd_verify(pw, "bo", 2, "secret", 6), CORREU_ERR_AUTH);
	correu_passwd_free(pw);
}

/* Run doveadm, if installed; returns its first output line or NULL. */
static char *doveadm(const char *args)
{
	char cmd[512], *line = NULL;
	size_t cap = 0;
	FILE *p;

	if (access("/usr/bin/doveadm", X_OK) != 0)
		return NULL;
	snprintf(cmd, sizeof(cmd), "/usr/bin/doveadm pw %s 2>&1", args);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	if (getline(&line, &cap, p) < 0) {
		free(line);
		line = NULL;
	}
	pclose(p);
	if (line)
		line[strcspn(line, "\n")] = '\0';
	return line;
}

Test(passwd, interchangeable_with_doveadm)
{
	char *hash = doveadm("-s SCRAM-SHA-256 -p 'live secret'"), text[512], cmd[512], *out;
	correu_passwd *pw;
	uint32_t seed = 7;

	if (!hash)
		cr_skip_test("doveadm is not installed: the checked-in lines cover the format");
	/* A line doveadm makes now verifies here. */
	snprintf(text, sizeof(text), "erin:%s\n", hash);
	pw = load_text(text, 0);
	cr_assert_eq(correu_passwd_verify(pw, "erin", 4, "live secret", 11), 0);
	cr_assert_eq(correu_passwd_verify(pw, "erin", 4, "live secreT", 11), CORREU_ERR_AUTH);
	/* And doveadm accepts what correu writes. */
	cr_assert_eq(correu_passwd_set(pw, "erin", 4, CORREU_SASL_SCRAM_SHA_256, "pencil", 6, 0,
	                               fake_random, &seed),
	             0);
	out = format(pw);
	out[strcspn(out, "\n")] = '\0';
	snprintf(cmd, sizeof(cmd), "-t '%s' -p pencil", strchr(out, ':') + 1);
	free(hash);
	hash = doveadm(cmd);
	cr_assert_not_null(hash);
	cr_assert(strstr(hash, "(verified)"), "doveadm said: %s", hash);
	free(hash);
	snprintf(cmd, sizeof(cmd), "-t '%s' -p pencim", strchr(out, ':') + 1);
	hash = doveadm(cmd);
	cr_assert_null(strstr(hash ? hash : "", "(verified)"), "doveadm verified a wrong password");
	free(hash);
	free(out);
	correu_passwd_free(pw);
}

Test(passwd, round_trip_keeps_comments_order_and_extra_fields)
{
	const char *in = "# correu users\r\n"
			 "\n"
			 "bob:" DOVE_256 ":1000:1000::/home/bob::userdb_quota_rule=*:storage=1G\r\n"
			 "   # indented comment\n"
			 "carol:" DOVE_1 "\n"
			 "\t\n";
	const char *want = "# correu users\n"
			   "\n"
			   "bob:" DOVE_256 ":1000:1000::/home/bob::userdb_quota_rule=*:storage=1G\n"
			   "   # indented comment\n"
			   "carol:" DOVE_1 "\n"
			   "\t\n";
	correu_passwd *pw = load_text(in, 0), *again;
	const char *extra;
	size_t extra_len;
	char *out = format(pw);

	cr_assert_str_eq(out, want);
	cr_assert_eq(correu_passwd_extra(pw, "bob", 3, &extra, &extra_len), 0);
	cr_assert_eq(extra_len, strlen(":1000:1000::/home/bob::userdb_quota_rule=*:storage=1G"));
	cr_assert_eq(memcmp(extra, ":1000", 5), 0);
	cr_assert_eq(correu_passwd_extra(pw, "carol", 5, &extra, &extra_len), 0);
	cr_assert_eq(extra_len, 0);
	again = load_text(out, 0);
	free(out);
	out = format(again);
	cr_assert_str_eq(out, want, "format is not a fixed point");
	free(out);
	correu_passwd_free(again);
	correu_passwd_free(pw);
}

struct bad {
	const char *text;
	int code;
	uint32_t line;
};

Test(passwd, malformed_lines_are_reported_with_their_number)
{
	static const struct bad cases[] = {
		{ "bob\n", CORREU_ERR_SYNTAX, 1 },
		{ "# ok\nbob:secret\n", CORREU_ERR_SYNTAX, 2 },
		{ "bob:{SHA512-CRYPT}$6$x\n", CORREU_ERR_UNSUPPORTED, 1 },
		{ "\n\nbob:{PLAIN}secret\n", CORREU_ERR_UNSUPPORTED, 3 },
		{ ":" DOVE_256 "\n", CORREU_ERR_SYNTAX, 1 },
		{ "b\tb:" DOVE_256 "\n", CORREU_ERR_SYNTAX, 1 },
		{ "bob:{SCRAM-SHA-256\n", CORREU_ERR_SYNTAX, 1 },
		{ "bob:{SCRAM-SHA-256}4096,Pn8aA/2V8MEZu52ZJFgH9g==\n", CORREU_ERR_SYNTAX, 1 },
		{ "bob:{SCRAM-SHA-256}4096,a,b,c,d\n", CORREU_ERR_SYNTAX, 1 },
		{ "bob:{SCRAM-SHA-256}04096,Pn8aA/2V8MEZu52ZJFgH9g==,"
		  "Spbl7potXTJiSfXbtx2M+7iRH89qIZ8TRiCBxPdaDgI=,"
		  "0RGSqYe0mQdki1J7oiHx7ufwLutePesAm47POUuTCmA=\n",
		  CORREU_ERR_SYNTAX, 1 },
		{ "bob:{SCRAM-SHA-256}4096,Pn8aA/2V8MEZu52ZJFgH9g=,"
		  "Spbl7potXTJiSfXbtx2M+7iRH89qIZ8TRiCBxPdaDgI=,"
		  "0RGSqYe0mQdki1J7oiHx7ufwLutePesAm47POUuTCmA=\n",
		  CORREU_ERR_SYNTAX, 1 },
		/* SHA-1 keys under a SHA-256 scheme: wrong key length. */
		{ "bob:{SCRAM-SHA-256}4096,p3FJoxUySNTGdaAkRDJpkw==,swSBPHg3kxqw9+x/lisJTX92b+E=,"
		  "qfw98vh/DlWiXz9PQlL8af3H6uY=\n",
		  CORREU_ERR_SYNTAX, 1 },
		{ "bob:{SCRAM-SHA-256}4095,Pn8aA/2V8MEZu52ZJFgH9g==,"
		  "Spbl7potXTJiSfXbtx2M+7iRH89qIZ8TRiCBxPdaDgI=,"
		  "0RGSqYe0mQdki1J7oiHx7ufwLutePesAm47POUuTCmA=\n",
		  CORREU_ERR_LIMIT, 1 },
		{ "bob:{SCRAM-SHA-256}99999999999,Pn8aA/2V8MEZu52ZJFgH9g==,"
		  "Spbl7potXTJiSfXbtx2M+7iRH89qIZ8TRiCBxPdaDgI=,"
		  "0RGSqYe0mQdki1J7oiHx7ufwLutePesAm47POUuTCmA=\n",
		  CORREU_ERR_SYNTAX, 1 },
		{ "bob:" DOVE_256 "\ncarol:" DOVE_1 "\nbob:" DOVE_1 "\n", CORREU_ERR_EXISTS, 3 },
		/* A bare CR would become a line end when written back. */
		{ "bob:" DOVE_256 "\r\r\n", CORREU_ERR_SYNTAX, 1 },
		{ "# note\rbob:" DOVE_1 "\n", CORREU_ERR_SYNTAX, 1 },
	};
	correu_passwd *pw;

	cr_assert_eq(correu_passwd_new(NULL, NULL, &pw), 0);
	cr_assert_eq(
		correu_passwd_parse(pw, (const uint8_t *)"keep:" DOVE_1, 5 + strlen(DOVE_1), NULL),
		0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t line = 0;
		char want[16];
		int rc = correu_passwd_parse(pw, (const uint8_t *)cases[i].text,
		                             strlen(cases[i].text), &line);

		cr_assert_eq(rc, cases[i].code, "case %zu: %d (%s)", i, rc,
		             correu_passwd_error(pw));
		cr_assert_eq(line, cases[i].line, "case %zu: line %u", i, line);
		snprintf(want, sizeof(want), "line %u: ", cases[i].line);
		cr_assert_eq(strncmp(correu_passwd_error(pw), want, strlen(want)), 0,
		             "case %zu: reason '%s'", i, correu_passwd_error(pw));
		/* A refused file leaves the previous contents in place. */
		cr_assert_eq(correu_passwd_lookup(pw, "keep", 4, NULL), 0);
		cr_assert_eq(correu_passwd_count(pw), 1);
	}
	/* A NUL byte inside a line. */
	cr_assert_eq(correu_passwd_parse(pw, (const uint8_t *)"a:{PLAIN}x\0y\n", 13, NULL),
	             CORREU_ERR_SYNTAX);
	correu_passwd_free(pw);
}

Test(passwd, plain_needs_the_explicit_flag)
{
	correu_passwd *pw = load_text("# insecure, for tests\nold:{PLAIN}hunter2:1001:1001\n",
	                              CORREU_PASSWD_ALLOW_PLAIN);
	correu_sasl_scram_keys k;
	uint32_t scheme;

	cr_assert_eq(correu_passwd_lookup(pw, "old", 3, &scheme), 0);
	cr_assert_eq(scheme, CORREU_PASSWD_PLAIN);
	cr_assert_eq(correu_passwd_verify(pw, "old", 3, "hunter2", 7), 0);
	cr_assert_eq(correu_passwd_verify(pw, "old", 3, "hunter", 6), CORREU_ERR_AUTH);
	cr_assert_eq(correu_passwd_verify(pw, "old", 3, "hunter22", 8), CORREU_ERR_AUTH);
	cr_assert_eq(correu_passwd_verify(pw, "old", 3, "", 0), CORREU_ERR_AUTH);
	/* No SCRAM keys can come from a {PLAIN} line. */
	cr_assert_eq(correu_passwd_scram_keys(pw, "old", 3, CORREU_SASL_SCRAM_SHA_256, &k),
	             CORREU_ERR_NOT_FOUND);
	correu_passwd_free(pw);
}

/* A limit `lim` of a parse: the input of size at the limit passes, one more fails. */
static void limit_case(correu_passwd_settings *s, const char *at, const char *past, int code)
{
	correu_passwd *pw;

	cr_assert_eq(correu_passwd_new(s, NULL, &pw), 0);
	cr_assert_eq(correu_passwd_parse(pw, (const uint8_t *)at, strlen(at), NULL), 0, "%s",
	             correu_passwd_error(pw));
	cr_assert_eq(correu_passwd_parse(pw, (const uint8_t *)past, strlen(past), NULL), code);
	correu_passwd_free(pw);
}

Test(passwd, limits_at_the_edge_and_one_past)
{
	correu_passwd_settings s;
	const char *line = "bob:" DOVE_256;
	char at[600], past[600];

	/* Line length. */
	cr_assert_eq(correu_passwd_settings_init(&s), 0);
	s.max_line = (uint32_t)strlen(line) + 2;
	snprintf(at, sizeof(at), "%s::\r\n", line);
	snprintf(past, sizeof(past), "%s:::\r\n", line);
	limit_case(&s, at, past, CORREU_ERR_LIMIT);
	/* Users. */
	cr_assert_eq(correu_passwd_settings_init(&s), 0);
	s.max_users = 1;
	snprintf(at, sizeof(at), "# many comments\n%s\n", line);
	snprintf(past, sizeof(past), "%s\nc%s\n", line, line);
	limit_case(&s, at, past, CORREU_ERR_LIMIT);
	/* File size. */
	cr_assert_eq(correu_passwd_settings_init(&s), 0);
	s.max_file = strlen(line) + 1;
	snprintf(at, sizeof(at), "%s\n", line);
	snprintf(past, sizeof(past), "%s\n\n", line);
	limit_case(&s, at, past, CORREU_ERR_LIMIT);
	/* User name length. */
	cr_assert_eq(correu_passwd_settings_init(&s), 0);
	s.max_user = 3;
	snprintf(at, sizeof(at), "%s\n", line);
	snprintf(past, sizeof(past), "x%s\n", line);
	limit_case(&s, at, past, CORREU_ERR_LIMIT);
	/* Iterations: 4096 allowed at a minimum of 4096, not at 4097. */
	cr_assert_eq(correu_passwd_settings_init(&s), 0);
	s.max_iterations = 4096;
	limit_case(&s, at,
	           "bob:{SCRAM-SHA-256}4097,Pn8aA/2V8MEZu52ZJFgH9g==,"
	           "Spbl7potXTJiSfXbtx2M+7iRH89qIZ8TRiCBxPdaDgI=,"
	           "0RGSqYe0mQdki1J7oiHx7ufwLutePesAm47POUuTCmA=",
	           CORREU_ERR_LIMIT);
	s.min_iterations = 5000;
	cr_assert_eq(correu_passwd_new(&s, NULL, &(correu_passwd *){ NULL }), CORREU_ERR_ARG,
	             "a minimum above the maximum");
}

Test(passwd, set_adds_and_replaces_keeping_place_and_fields)
{
	correu_passwd *pw = load_text("# head\nbob:" DOVE_256 ":1000:1000\n# tail\n", 0);
	uint32_t seed = 1, scheme;
	const char *extra;
	size_t extra_len;
	char *out;

	cr_assert_eq(correu_passwd_set(pw, "bob", 3, CORREU_SASL_SCRAM_SHA_256, "new one", 7, 5000,
	                               fake_random, &seed),
	             0);
	cr_assert_eq(correu_passwd_verify(pw, "bob", 3, "secret", 6), CORREU_ERR_AUTH);
	cr_assert_eq(correu_passwd_verify(pw, "bob", 3, "new one", 7), 0);
	cr_assert_eq(correu_passwd_extra(pw, "bob", 3, &extra, &extra_len), 0);
	cr_assert_eq(extra_len, 10);
	cr_assert_eq(memcmp(extra, ":1000:1000", 10), 0);
	cr_assert_eq(correu_passwd_set(pw, "alice", 5, CORREU_SASL_SCRAM_SHA_1, "pencil", 6, 0,
	                               fake_random, &seed),
	             0);
	cr_assert_eq(correu_passwd_lookup(pw, "alice", 5, &scheme), 0);
	cr_assert_eq(scheme, CORREU_PASSWD_SCRAM_SHA_1);
	cr_assert_eq(correu_passwd_count(pw), 2);
	out = format(pw);
	cr_assert_eq(strncmp(out, "# head\nbob:{SCRAM-SHA-256}5000,", 31), 0, "%s", out);
	cr_assert(strstr(out, ":1000:1000\n# tail\nalice:{SCRAM-SHA-1}4096,"), "%s", out);
	cr_assert_null(strstr(out, "pencil"), "a password reached the file");
	free(out);
	/* Refused input. */
	cr_assert_eq(correu_passwd_set(pw, "a:b", 3, CORREU_SASL_SCRAM_SHA_256, "x", 1, 0,
	                               fake_random, &seed),
	             CORREU_ERR_ARG);
	cr_assert_eq(correu_passwd_set(pw, "a\nb", 3, CORREU_SASL_SCRAM_SHA_256, "x", 1, 0,
	                               fake_random, &seed),
	             CORREU_ERR_ARG);
	cr_assert_eq(correu_passwd_set(pw, "ab", 2, CORREU_SASL_SCRAM_SHA_256, "x", 1, 100,
	                               fake_random, &seed),
	             CORREU_ERR_LIMIT);
	cr_assert_eq(
		correu_passwd_set(pw, "ab", 2, CORREU_PASSWD_PLAIN, "x", 1, 0, fake_random, &seed),
		CORREU_ERR_ARG);
	cr_assert_eq(correu_passwd_remove(pw, "bob", 3), 0);
	cr_assert_eq(correu_passwd_remove(pw, "bob", 3), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_passwd_verify(pw, "alice", 5, "pencil", 6), 0);
	out = format(pw);
	cr_assert_eq(strncmp(out, "# head\n# tail\nalice:", 20), 0, "%s", out);
	free(out);
	correu_passwd_free(pw);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static char *temp_dir(void)
{
	char tmpl[] = "/tmp/correu-passwd-XXXXXX";
	char *d = mkdtemp(tmpl);

	cr_assert_not_null(d);
	return strdup(d);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

Test(passwd, save_is_atomic_private_and_reloads_the_same)
{
	correu_passwd *pw = load_text("# users\nbob:" DOVE_256 "\n", 0), *back;
	char *dir = temp_dir(), path[256], *a, *b;
	uint32_t seed = 3, line;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/passwd", dir);
	/* An older file with a wide mode is replaced, not rewritten in place. */
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("stale\n", f);
	fclose(f);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_assert_eq(correu_passwd_set(pw, "carol", 5, CORREU_SASL_SCRAM_SHA_256, "pw", 2, 0,
	                               fake_random, &seed),
	             0);
	cr_assert_eq(correu_passwd_save(pw, path), 0, "%s", correu_passwd_error(pw));
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	cr_assert_eq(count_entries(dir), 1, "a temporary file was left behind");
	cr_assert_eq(correu_passwd_new(NULL, NULL, &back), 0);
	cr_assert_eq(correu_passwd_load(back, path, &line), 0, "%s", correu_passwd_error(back));
	a = format(pw);
	b = format(back);
	cr_assert_str_eq(a, b);
	cr_assert_eq(correu_passwd_verify(back, "carol", 5, "pw", 2), 0);
	free(a);
	free(b);

	/* A directory that does not exist: an error, and nothing else changes. */
	snprintf(path, sizeof(path), "%s/missing/passwd", dir);
	cr_assert_eq(correu_passwd_save(pw, path), CORREU_ERR_IO);
	cr_assert_neq(correu_passwd_error(pw)[0], '\0');
	cr_assert_eq(correu_passwd_load(back, path, NULL), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_passwd_load(back, dir, NULL), CORREU_ERR_IO, "a directory loaded");
	cr_assert_eq(correu_passwd_count(back), 2, "a failed load changed the contents");
	snprintf(path, sizeof(path), "%s/passwd", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
	correu_passwd_free(back);
	correu_passwd_free(pw);
}

Test(passwd, load_checks_the_size_before_reading)
{
	correu_passwd_settings s;
	correu_passwd *pw;
	char *dir = temp_dir(), path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/big", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("bob:" DOVE_256 "\n", f);
	fclose(f);
	cr_assert_eq(correu_passwd_settings_init(&s), 0);
	s.max_file = strlen("bob:" DOVE_256 "\n");
	cr_assert_eq(correu_passwd_new(&s, NULL, &pw), 0);
	cr_assert_eq(correu_passwd_load(pw, path, NULL), 0);
	s.max_file--;
	correu_passwd_free(pw);
	cr_assert_eq(correu_passwd_new(&s, NULL, &pw), 0);
	cr_assert_eq(correu_passwd_load(pw, path, NULL), CORREU_ERR_LIMIT);
	correu_passwd_free(pw);
	unlink(path);
	rmdir(dir);
	free(dir);
}

/* ------------------------------------------------------------------ */
/* The SASL layer and the store against the file                       */

static int sasl_random(uint8_t *buf, size_t len, void *ud)
{
	uint32_t seed = 42;

	(void)ud;
	return fake_random(buf, len, &seed);
}

/* A whole exchange of `mech` with the server's credentials from `pw`. */
static int sasl_loop(correu_passwd *pw, int mech, const char *user, const char *password)
{
	correu_sasl_settings set;
	correu_sasl_credentials cred = { .version = CORREU_SASL_CREDENTIALS_VERSION,
		                         .username = user,
		                         .username_len = strlen(user),
		                         .password = password,
		                         .password_len = strlen(password) };
	correu_sasl_client *c;
	correu_sasl_server *s;
	const uint8_t *out = NULL, *sout = NULL;
	size_t out_len = 0, sout_len = 0;
	int rc;

	correu_sasl_settings_init(&set);
	set.random = sasl_random;
	cr_assert_eq(correu_sasl_client_new(&set, mech, &cred, &c), 0);
	cr_assert_eq(correu_sasl_server_new(&set, mech, &s), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &out_len), 1);
	rc = correu_sasl_server_step(s, out, out_len, &sout, &sout_len);
	while (rc == CORREU_SASL_CHALLENGE || rc == CORREU_SASL_NEED_CREDENTIALS) {
		if (rc == CORREU_SASL_NEED_CREDENTIALS) {
			const char *u;
			size_t ulen;
			correu_sasl_scram_keys k;

			cr_assert_eq(
				correu_sasl_server_field(s, CORREU_SASL_FIELD_USERNAME, &u, &ulen),
				0);
			if (correu_passwd_scram_keys(pw, u, ulen, CORREU_SASL_SCRAM_SHA_256, &k) ==
			            0 ||
			    correu_passwd_scram_keys(pw, u, ulen, CORREU_SASL_SCRAM_SHA_1, &k) ==
			            0) {
				rc = correu_sasl_server_supply_scram_keys(s, &k, &sout, &sout_len);
				correu_wipe(&k, sizeof(k));
			} else {
				rc = correu_sasl_server_supply_result(s, 0, &sout, &sout_len);
			}
			continue;
		}
		rc = correu_sasl_client_step(c, sout, sout_len, &out, &out_len);
		if (rc < 0)
			break;
		rc = correu_sasl_server_step(s, out, out_len, &sout, &sout_len);
	}
	if (rc == CORREU_SASL_SUCCESS)
		rc = correu_sasl_client_finish(c, sout_len ? sout : NULL, sout_len);
	correu_sasl_client_free(c);
	correu_sasl_server_free(s);
	return rc;
}

Test(passwd, sasl_plain_and_scram_verify_against_the_stored_keys)
{
	correu_passwd *pw = load_text("bob:" DOVE_256 "\ncarol:" DOVE_1 "\n", 0);

	if (!correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256))
		cr_skip_test("built without mbedTLS");
	cr_assert_eq(sasl_loop(pw, CORREU_SASL_SCRAM_SHA_256, "bob", "secret"), 0);
	cr_assert_eq(sasl_loop(pw, CORREU_SASL_SCRAM_SHA_256, "bob", "secreT"), CORREU_ERR_AUTH);
	cr_assert_eq(sasl_loop(pw, CORREU_SASL_SCRAM_SHA_256, "nobody", "secret"), CORREU_ERR_AUTH);
	cr_assert_eq(sasl_loop(pw, CORREU_SASL_SCRAM_SHA_1, "carol", "secret"), 0);
	cr_assert_eq(sasl_loop(pw, CORREU_SASL_PLAIN, "bob", "secret"), 0);
	cr_assert_eq(sasl_loop(pw, CORREU_SASL_PLAIN, "carol", "secret"), 0);
	cr_assert_eq(sasl_loop(pw, CORREU_SASL_PLAIN, "carol", "wrong"), CORREU_ERR_AUTH);
	correu_passwd_free(pw);
}

Test(passwd, backend_adapter_serves_the_store)
{
	correu_passwd *pw = load_text("bob:" DOVE_256 "\n", 0);
	correu_store_result res = { .version = CORREU_STORE_RESULT_VERSION };
	correu_sasl_scram_keys k;
	correu_store *st;
	correu_store_req *req;

	cr_assert_eq(correu_store_new(correu_passwd_backend(), pw, NULL, NULL, &st), 0);
	cr_assert_eq(correu_store_caps(st),
	             CORREU_STORE_CAP_AUTH_PASSWORD | CORREU_STORE_CAP_AUTH_SCRAM);
	cr_assert_eq(correu_store_req_new(st, NULL, NULL, &req), 0);
	cr_assert_eq(correu_store_auth_password(req, "bob", 3, "secret", 6), 0);
	cr_assert_eq(correu_store_req_result(req, &res), 0);
	cr_assert_str_eq(res.text, "");
	correu_store_req_free(req);
	cr_assert_eq(correu_store_req_new(st, NULL, NULL, &req), 0);
	cr_assert_eq(correu_store_auth_password(req, "bob", 3, "guess", 5), CORREU_ERR_AUTH);
	correu_store_req_free(req);
	cr_assert_eq(correu_store_req_new(st, NULL, NULL, &req), 0);
	cr_assert_eq(correu_store_auth_scram_keys(req, CORREU_SASL_SCRAM_SHA_256, "bob", 3), 0);
	cr_assert_eq(correu_store_req_scram_keys(req, &k), 0);
	cr_assert_eq(k.iterations, 4096);
	cr_assert_eq(k.salt_len, 16);
	correu_store_req_free(req);
	cr_assert_eq(correu_store_req_new(st, NULL, NULL, &req), 0);
	cr_assert_eq(correu_store_auth_scram_keys(req, CORREU_SASL_SCRAM_SHA_1, "bob", 3),
	             CORREU_ERR_NOT_FOUND);
	correu_store_req_free(req);
	correu_store_free(st);
	correu_passwd_free(pw);
}

/* ------------------------------------------------------------------ */
/* Allocation failure                                                  */

static int alloc_scenario(void *ctx, const correu_allocator *a)
{
	const char *text = "# c\nbob:" DOVE_256 ":1:1\ncarol:" DOVE_1 "\n";
	correu_passwd *pw;
	uint32_t seed = 5;
	uint8_t buf[1024];
	size_t len;
	int rc;

	(void)ctx;
	rc = correu_passwd_new(NULL, a, &pw);
	if (rc < 0)
		return rc;
	rc = correu_passwd_parse(pw, (const uint8_t *)text, strlen(text), NULL);
	if (rc == 0)
		rc = correu_passwd_set(pw, "dan", 3, CORREU_SASL_SCRAM_SHA_256, "pw", 2, 0,
		                       fake_random, &seed);
	if (rc == 0)
		rc = correu_passwd_set(pw, "bob", 3, CORREU_SASL_SCRAM_SHA_256, "pw", 2, 0,
		                       fake_random, &seed);
	if (rc == 0)
		rc = correu_passwd_format(pw, buf, sizeof(buf), &len);
	if (rc == 0)
		rc = correu_passwd_verify(pw, "dan", 3, "pw", 2);
	/* Whatever failed, the handle still answers for what it holds. */
	if (rc < 0 && correu_passwd_count(pw) > 0)
		cr_assert_eq(correu_passwd_lookup(pw, "carol", 5, NULL), 0);
	correu_passwd_free(pw);
	return rc;
}

Test(passwd, every_allocation_failure_is_clean)
{
	cr_assert_gt(failalloc_loop(alloc_scenario, NULL, 100), 5);
}
