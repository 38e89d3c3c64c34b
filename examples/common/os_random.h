/*
 * The system's random source for the example programs and the interop test
 * servers (examples, shared): the bytes the password file's salts, the
 * generated passwords and the servers' SCRAM nonces and APOP timestamps
 * are made of. It has the shape of correu_sasl_random_fn, so it can be
 * passed to the library as it is.
 */
#ifndef CORREU_EXAMPLE_OS_RANDOM_H
#define CORREU_EXAMPLE_OS_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Fill buf with len bytes from the kernel's CSPRNG; userdata is unused.
 * Returns 0, or CORREU_ERR_IO if the kernel gives none. */
int ex_os_random(uint8_t *buf, size_t len, void *userdata);

#endif
