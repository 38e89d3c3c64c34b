/*
 * Certificate verification flags in words (transport layer). Kept apart
 * from the mbedTLS code so that it exists in every build and the reasons
 * read the same whichever mbedTLS version produced them.
 */
#include <stdio.h>
#include <string.h>

#include "transport_int.h"

static const struct {
	uint32_t flag;
	const char *text;
} reasons[] = {
	{ CORREU_CERT_NOT_TRUSTED, "not trusted" },
	{ CORREU_CERT_SELF_SIGNED, "self-signed" },
	{ CORREU_CERT_EXPIRED, "expired" },
	{ CORREU_CERT_NOT_YET_VALID, "not yet valid" },
	{ CORREU_CERT_HOST_MISMATCH, "host name mismatch" },
	{ CORREU_CERT_IP_MISMATCH, "IP address mismatch" },
	{ CORREU_CERT_REVOKED, "revoked" },
	{ CORREU_CERT_WEAK, "weak key or algorithm" },
	{ CORREU_CERT_BAD_USAGE, "usage not allowed" },
	{ CORREU_CERT_MISSING, "no certificate" },
	{ CORREU_CERT_NOT_VERIFIED, "not verified" },
	{ CORREU_CERT_OTHER, "other problem" },
};

correu_ssize correu_cert_flags_text(uint32_t flags, char *buf, size_t cap)
{
	size_t len = 0;
	bool fits = true;

	if (!buf || !cap)
		return CORREU_ERR_ARG;
	buf[0] = '\0';
	for (size_t i = 0; i < CORREU__ARRAY_LEN(reasons); i++) {
		const char *sep = len ? ", " : "";
		size_t need = strlen(sep) + strlen(reasons[i].text);

		if (!(flags & reasons[i].flag))
			continue;
		flags &= ~reasons[i].flag;
		if (need >= cap - len) {
			fits = false;
			break;
		}
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", sep, reasons[i].text);
	}
	if (fits && flags) /* bits this version does not know */
		fits = (size_t)snprintf(buf + len, cap - len, "%sunknown", len ? ", " : "") <
		       cap - len;
	if (fits && len == 0 && !buf[0])
		fits = (size_t)snprintf(buf, cap, "ok") < cap;
	if (!fits)
		return CORREU_ERR_BUFFER;
	return (correu_ssize)strlen(buf);
}
