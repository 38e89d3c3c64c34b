/*
 * Binary IP addresses and trusted networks (server layer, internal): the
 * part of addr.c that other layers' server cores may use, so that the SMTP
 * server checks XCLIENT's ADDR and its trusted networks (RFC 4632 section
 * 3.1 CIDR) with the same parser as the runtime's PROXY and per-IP code.
 * It is the only server-runtime header meant for other layers; the rest of
 * the runtime's internals stay in server_int.h. Nothing here is exported.
 */
#ifndef CORREU_SERVER_ADDR_H
#define CORREU_SERVER_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IP address as 16 bytes; IPv4 is kept IPv4-mapped (::ffff:a.b.c.d)
 * so that one comparison serves both families. */
typedef struct correu__addr {
	uint8_t b[16];
} correu__addr;

/* Text that holds any address: 45 characters of IPv6 plus the NUL. */
#define CORREU__ADDR_TEXT 46

/* Parse "1.2.3.4" or "2001:db8::1" (exactly `len` bytes, strict): 0 or
 * CORREU_ERR_SYNTAX. */
int correu__addr_parse(correu__addr *a, const char *s, size_t len);

/* A network (CIDR), as a masked address and a prefix length. */
typedef struct correu__cidr {
	correu__addr net;
	uint32_t bits; /* of the 128-bit form */
} correu__cidr;

/* Parse "192.0.2.0/24", "2001:db8::/32" or a bare address (all bits):
 * 0 or CORREU_ERR_SYNTAX. */
int correu__cidr_parse(correu__cidr *c, const char *s);
bool correu__cidr_match(const correu__cidr *c, const correu__addr *a);

#endif
