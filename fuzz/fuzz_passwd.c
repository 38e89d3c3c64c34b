/*
 * Fuzz harness for the password file parser (store layer). Any bytes must
 * either be refused with a line number inside the input, or load; a loaded
 * file must format back to text that loads to the same text again (the
 * format is a fixed point), and every user in it must answer lookups,
 * key requests and a password check without a fault. Iteration counts are
 * capped low so a check costs microseconds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correu/passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static correu_passwd *make(void)
{
	correu_passwd_settings s;
	correu_passwd *pw;

	if (correu_passwd_settings_init(&s) < 0)
		abort();
	s.flags = CORREU_PASSWD_ALLOW_PLAIN;
	s.max_line = 512;
	s.max_users = 64;
	s.min_iterations = 1;
	s.max_iterations = 16;
	if (correu_passwd_new(&s, NULL, &pw) < 0)
		abort();
	return pw;
}

static uint8_t *text_of(const correu_passwd *pw, size_t *len)
{
	uint8_t *out;

	if (correu_passwd_format(pw, NULL, 0, len) == CORREU_ERR_ARG)
		abort();
	out = malloc(*len + 1);
	if (!out || correu_passwd_format(pw, out, *len, len) < 0)
		abort();
	return out;
}

/* Ask about every user named at the start of a line of the input. */
static void ask_everything(const correu_passwd *pw, const uint8_t *data, size_t size)
{
	size_t pos = 0, found = 0;

	while (pos < size) {
		const uint8_t *nl = memchr(data + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - data) : size;
		const uint8_t *colon = memchr(data + pos, ':', end - pos);

		if (colon) {
			const char *user = (const char *)data + pos;
			size_t ulen = (size_t)(colon - (data + pos));
			correu_sasl_scram_keys k;
			const char *extra;
			size_t elen;
			uint32_t scheme;
			int rc;

			if (correu_passwd_lookup(pw, user, ulen, &scheme) == 0) {
				found++;
				if (correu_passwd_extra(pw, user, ulen, &extra, &elen) < 0)
					abort();
				if (scheme != CORREU_PASSWD_PLAIN &&
				    correu_passwd_scram_keys(pw, user, ulen, scheme, &k) < 0)
					abort();
				/* A wrong password never passes SCRAM keys (a {PLAIN}
				 * line could hold this very password). */
				rc = correu_passwd_verify(pw, user, ulen, "\x01wrong", 6);
				if (rc == 0 && scheme != CORREU_PASSWD_PLAIN)
					abort();
			}
		}
		pos = nl ? end + 1 : size;
	}
	if (found != correu_passwd_count(pw))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	correu_passwd *pw = make(), *again;
	uint8_t *text, *text2;
	size_t len, len2;
	uint32_t line = 0;
	int rc = correu_passwd_parse(pw, data, size, &line);

	if (rc < 0) {
		/* A refusal names a line of the input, or none. */
		size_t lines = 1;

		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		if (line > lines || correu_passwd_error(pw)[0] == '\0' ||
		    correu_passwd_count(pw) != 0)
			abort();
		correu_passwd_free(pw);
		return 0;
	}
	ask_everything(pw, data, size);
	text = text_of(pw, &len);
	again = make();
	if (correu_passwd_parse(again, text, len, &line) < 0)
		abort();
	text2 = text_of(again, &len2);
	if (len != len2 || memcmp(text, text2, len) != 0 ||
	    correu_passwd_count(pw) != correu_passwd_count(again))
		abort();
	free(text);
	free(text2);
	correu_passwd_free(again);
	correu_passwd_free(pw);
	return 0;
}
