/*
 * A delivery backend that keeps nothing, for correu-mailserver --discard
 * (examples): every sender and recipient is accepted, the data is
 * dropped, and the commit answers 250 at once. It measures the SMTP/LMTP
 * server and the runtime alone, as Postfix's smtp-sink does, and shows the
 * smallest complete delivery backend (store.h): five callbacks, each
 * answering now.
 */
#include "mailserver.h"

/* A delivery needs a non-NULL handle; there is nothing to keep in it. */
static char no_state;

static int begin(correu_store_req *req, const correu_store_envelope *env, void *userdata)
{
	(void)env;
	(void)userdata;
	return correu_store_complete_handle(req, &no_state);
}

static int rcpt(correu_store_req *req, void *delivery, const correu_store_rcpt *r,
                void *userdata)
{
	(void)delivery;
	(void)r;
	(void)userdata;
	return correu_store_complete_reply(req, 250, 2, 1, 5, "OK", 2);
}

static int data(correu_store_req *req, void *delivery, const uint8_t *p, size_t len,
                void *userdata)
{
	(void)delivery;
	(void)p;
	(void)len;
	(void)userdata;
	return correu_store_complete(req, 0);
}

/* Recipients without a reply of their own (LMTP) get this one. */
static int commit(correu_store_req *req, void *delivery, void *userdata)
{
	(void)delivery;
	(void)userdata;
	return correu_store_complete_reply(req, 250, 2, 0, 0, "Discarded", 9);
}

static int abort_delivery(void *delivery, void *userdata)
{
	(void)delivery;
	(void)userdata;
	return 0;
}

int ms_discard_store(correu_store **out)
{
	static const correu_store_backend table = {
		.version = CORREU_STORE_BACKEND_VERSION,
		.deliver_begin = begin,
		.deliver_rcpt = rcpt,
		.deliver_data = data,
		.deliver_commit = commit,
		.deliver_abort = abort_delivery,
	};

	return correu_store_new(&table, NULL, NULL, NULL, out);
}
