/* The interop drivers' message sink (see driver_sink.h). */
#include "driver_sink.h"

#include <unistd.h>

#include "correu/common.h"

int driver_sink_write(const uint8_t *data, size_t len, void *userdata)
{
	struct driver_sink *c = userdata;

	c->n += len;
	return write(c->fd, data, len) == (ssize_t)len ? 0 : CORREU_ERR_IO;
}
