/*
 * The system's random source for the example programs and the interop test
 * servers (examples, shared), read with getrandom(2) rather than by opening
 * /dev/urandom: no descriptor to leak or run out of, and it works inside a
 * chroot without /dev.
 */
#include <errno.h>
#include <sys/random.h>

#include "correu/common.h"
#include "os_random.h"

int ex_os_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	while (len > 0) {
		/* A signal may cut a long read short, or interrupt it before the
		 * first byte while the pool is still being seeded at boot
		 * (getrandom(2), "Interruption by a signal handler"): keep
		 * asking for the rest. */
		ssize_t n = getrandom(buf, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return CORREU_ERR_IO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}
