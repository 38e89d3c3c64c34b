/*
 * libFuzzer harness for the SASL layer's PLAIN mechanism, client and
 * server side (see fuzz_sasl.h for the input format).
 */
#include "fuzz_sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_sasl(CORREU_SASL_PLAIN, data, size);
}
