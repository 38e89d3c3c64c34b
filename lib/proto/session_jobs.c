/*
 * What the blocking sessions' logins and jobs share (proto layer, driver
 * level): the SASL credentials for a password, the last reply's text kept
 * without allocating, and a body consumer that writes to a file
 * descriptor.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "proto_session.h"

void correu__proto_login_sasl(correu_sasl_credentials *cr, correu_sasl_settings *ss,
                              const char *user, const char *password,
                              const correu_allocator *a, correu_sasl_random_fn random,
                              void *random_userdata)
{
	memset(cr, 0, sizeof(*cr));
	cr->version = CORREU_SASL_CREDENTIALS_VERSION;
	cr->username = user;
	cr->username_len = strlen(user);
	cr->password = password;
	cr->password_len = strlen(password);
	correu_sasl_settings_init(ss);
	ss->allocator = a;
	ss->random = random ? random : correu__proto_os_random;
	ss->random_userdata = random ? random_userdata : NULL;
}

void correu__proto_keep_text(correu__buf *b, const char *text, size_t len)
{
	size_t n = len < b->max - 1 ? len : b->max - 1;

	/* The text is for people, never parsed: what fits is enough. */
	if (n)
		memcpy(b->data, text, n);
	b->data[n] = '\0';
	b->len = n + 1;
}

int correu__proto_write_fd(const uint8_t *data, size_t len, void *userdata)
{
	int fd = *(const int *)userdata;

	/* Short writes and EINTR are not errors. */
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return CORREU_ERR_IO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}
