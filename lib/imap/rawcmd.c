/*
 * Raw commands (IMAP layer): a command the caller wrote out in full is
 * still framed by the builder. Each literal in it ("{n}", "{n+}" or the
 * literal8 "~{n}" of RFC 3516, then CRLF and n bytes) is found, its count
 * checked against the bytes that follow, and its header written anew by
 * the client's rules, so a synchronizing literal waits for "+" and "+" is
 * used only when the server offers LITERAL+ or LITERAL- (RFC 7888).
 * CR and LF outside literals, and NUL outside a literal8, are refused.
 */
#include <string.h>

#include "client_internal.h"

int correu__imapc_put_rawcmd(correu__imapc_cmd *cmd, const correu__imapc_rules *r, const char *p,
                             size_t len)
{
	size_t i = 0, line = 0;
	int rc;

	if (len && !p)
		return CORREU_ERR_ARG;
	while (i < len) {
		uint64_t size;
		size_t start;
		bool binary;

		if (p[i] == '\0')
			return CORREU_ERR_ARG;
		if (p[i] == '\n')
			return CORREU_ERR_ARG;
		if (p[i] != '\r') {
			i++;
			continue;
		}
		/* A CR is allowed only as the CRLF that ends a literal header. */
		if (i + 1 >= len || p[i + 1] != '\n' ||
		    !correu__imapc_literal_suffix(p, i, &size, &start, &binary))
			return CORREU_ERR_ARG;
		if (size > len - (i + 2))
			return CORREU_ERR_ARG;
		if (binary && !r->binary)
			return CORREU_ERR_UNSUPPORTED;
		if (!binary && memchr(p + i + 2, '\0', (size_t)size))
			return CORREU_ERR_ARG;
		rc = correu__imapc_put(cmd, p + line, start - line);
		if (rc == 0)
			rc = correu__imapc_put_literal_head(cmd, r, size, binary);
		if (rc == 0)
			rc = correu__imapc_put(cmd, p + i + 2, (size_t)size);
		if (rc < 0)
			return rc;
		i += 2 + (size_t)size;
		line = i;
	}
	return correu__imapc_put(cmd, p + line, len - line);
}
