/*
 * The deflate filter when correu is built without zlib (transport layer):
 * every call answers CORREU_ERR_UNSUPPORTED, so programs link the same
 * symbols whatever the build, and IMAP's COMPRESS is never offered to be
 * used (correu_imap_client_compress() refuses it).
 */
#include "correu/compress.h"

int correu_compress_available(void)
{
	return 0;
}

int correu_transport_deflate_new(correu_transport *inner, const correu_deflate_settings *settings,
                                 correu_transport **out)
{
	(void)inner;
	(void)settings;
	if (out)
		*out = NULL;
	return CORREU_ERR_UNSUPPORTED;
}
