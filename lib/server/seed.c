/*
 * The server runtime's random seed (driver layer): bytes from the
 * operating system that key the runtime's address tables (siphash.c), one
 * seed per loop so that nothing learnt about one process's tables applies
 * to another. Only the runtime asks for it; the protocol cores never touch
 * a random source.
 */
#include <errno.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#else
#include <fcntl.h>
#endif

#include "server_int.h"

#if defined(__linux__)
static ssize_t os_bytes(uint8_t *buf, size_t len)
{
	/* Blocks only until the kernel's pool is first initialised. */
	return getrandom(buf, len, 0);
}
#else
static ssize_t os_bytes(uint8_t *buf, size_t len)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}
#endif

int correu__server_seed(uint8_t *buf, size_t len)
{
	ssize_t n;

	/* Up to 256 bytes come whole once the kernel's pool is ready
	 * (getrandom(2)); only the wait for that can be interrupted. */
	if (len > 256)
		return CORREU_ERR_ARG;
	do
		n = os_bytes(buf, len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : CORREU_ERR_IO;
}
