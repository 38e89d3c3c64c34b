/* The client-core fuzz harnesses' shared driving (see fuzz_client.h). */
#include "fuzz_client.h"

#include <string.h>

void fuzz_ignore(int rc)
{
	(void)rc;
}

int fuzz_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	memset(buf, 'r', len);
	return 0;
}

void fuzz_credentials(correu_sasl_credentials *cr)
{
	memset(cr, 0, sizeof(*cr));
	cr->version = CORREU_SASL_CREDENTIALS_VERSION;
	cr->username = "u";
	cr->username_len = 1;
	cr->password = "p";
	cr->password_len = 1;
}

void fuzz_drain(const correu__proto_core *core, void *c)
{
	size_t len;

	while (core->send_buf(c, &len) && len) {
		if (core->send_ack(c, len / 2) < 0 || core->send_ack(c, len - len / 2) < 0)
			return;
	}
}

void fuzz_feed(const correu__proto_core *core, void *c, const uint8_t *data, size_t size,
               size_t chunk, fuzz_act_fn act, void *state)
{
	uint64_t now = 0;

	while (size > 0) {
		size_t n = size < chunk ? size : chunk;
		correu_ssize rc = core->recv(c, data, n, now++);

		/* A core takes all it is given or fails (DESIGN.md, sans-I/O). */
		if (rc >= 0 && (size_t)rc != n)
			__builtin_trap();
		act(c, state);
		(void)core->next_deadline(c);
		data += n;
		size -= n;
		if (rc < 0)
			break;
	}
}
