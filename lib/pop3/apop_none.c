/*
 * The APOP digest in a build without mbedTLS (POP3 layer): there is no
 * MD5 here, so APOP is reported as unsupported and the session falls back
 * to the other login methods.
 */
#include "pop3_internal.h"

int correu__pop3_apop_digest(const char *ts, size_t ts_len, const char *pass, size_t pass_len,
                             char out[32])
{
	(void)ts;
	(void)ts_len;
	(void)pass;
	(void)pass_len;
	(void)out;
	return CORREU_ERR_UNSUPPORTED;
}
