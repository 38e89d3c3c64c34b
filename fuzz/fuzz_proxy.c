/*
 * libFuzzer harness for the PROXY protocol parser (server runtime): any
 * input must parse without a fault, a complete header must not claim more
 * bytes than it was given, and every prefix of a complete header must ask
 * for more without ever asking past the header's end.
 */
#include <stdint.h>
#include <stdlib.h>

#include "server/server_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	correu__proxy_hdr h;
	size_t need = 0;
	correu_ssize rc = correu__proxy_parse(data, size, 1024, &h, &need);

	if (rc > 0) {
		size_t len = (size_t)rc;
		size_t probes[3] = { 0, len / 2, len - 1 };

		if (len > size)
			abort();
		for (size_t i = 0; i < 3; i++) {
			size_t k = probes[i];

			if (correu__proxy_parse(data, k, 1024, &h, &need) != 0 || need == 0 ||
			    k + need > len)
				abort();
		}
	} else if (rc == 0 && need == 0) {
		abort();
	}
	return 0;
}
