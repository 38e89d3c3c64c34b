/*
 * Several messages through the blocking SMTP session (SMTP layer, driver).
 * The pipe is kept full across messages: as soon as a message's body has
 * ended, the next envelope is queued, so that under PIPELINING the end of
 * the data, MAIL, every RCPT and DATA leave in one write (RFC 2920 §3.1)
 * and each message costs one round trip. Replies then interleave: the
 * core stamps each with its transaction, and a small window of messages
 * in flight maps those numbers back to the caller's items.
 */
#include <string.h>

#include "session_int.h"

/* Messages begun and not yet answered. DATA allows two at most (the next
 * 354 follows the previous result); BDAT chunks flow without waiting, so
 * the window is what bounds the replies owed. */
#define WINDOW 16

struct slot {
	uint32_t txn;      /* the core's transaction number; 0: none */
	uint32_t accepted; /* RCPT replies 2xx */
	uint32_t ends;     /* end-of-data replies seen */
	uint32_t delivered;
	bool done;
};

struct batch {
	correu_smtp_session *s;
	correu_smtp_batch_item *items;
	size_t begun;  /* items whose envelope was queued or refused */
	size_t oldest; /* the first item without its result */
	bool lmtp;
	struct slot slot[WINDOW];
};

static bool positive(uint32_t code)
{
	return code >= 200 && code < 300;
}

static struct slot *slot_of(struct batch *b, size_t i)
{
	return &b->slot[i % WINDOW];
}

static void finish(struct batch *b, size_t i, int32_t result)
{
	slot_of(b, i)->done = true;
	b->items[i].result = result;
	while (b->oldest < b->begun && slot_of(b, b->oldest)->done)
		b->oldest++;
}

/* The end of the data: one reply, or in LMTP one per accepted recipient
 * (RFC 2033 §4.2) and a single one when none was. */
static void on_data_end(struct batch *b, size_t i, const correu_smtp_event *ev)
{
	correu_smtp_batch_item *it = &b->items[i];
	struct slot *sl = slot_of(b, i);

	it->code = ev->code;
	if (!b->lmtp) {
		finish(b, i, positive(ev->code) && sl->accepted ? (int32_t)(sl->accepted & INT32_MAX)
		                                                : CORREU_ERR_REPLY);
		return;
	}
	if (sl->accepted && it->rcpt_codes && ev->index < it->env->to_count)
		it->rcpt_codes[ev->index] = ev->code;
	if (positive(ev->code))
		sl->delivered++;
	if (++sl->ends >= sl->accepted)
		finish(b, i, sl->delivered ? (int32_t)(sl->delivered & INT32_MAX) : CORREU_ERR_REPLY);
}

/* Every event of the session: replies to a transaction go to its item. */
static int tap(const correu_smtp_event *ev, void *userdata)
{
	struct batch *b = userdata;
	correu_smtp_batch_item *it;
	size_t i = b->oldest;

	if (ev->type != CORREU_SMTP_EV_REPLY || ev->transaction == 0)
		return 0;
	while (i < b->begun && slot_of(b, i)->txn != ev->transaction)
		i++;
	if (i == b->begun || slot_of(b, i)->done)
		return 0; /* a message already decided: late chunk replies */
	it = &b->items[i];
	switch (ev->command) {
	case CORREU_SMTP_CMD_RCPT:
		if (it->rcpt_codes && ev->index < it->env->to_count)
			it->rcpt_codes[ev->index] = ev->code;
		if (positive(ev->code))
			slot_of(b, i)->accepted++;
		break;
	case CORREU_SMTP_CMD_DATA_END: on_data_end(b, i, ev); break;
	default: /* MAIL, DATA, BDAT: note a refusal */
		if (!positive(ev->code) && ev->code != 354)
			it->code = ev->code;
	}
	return 0;
}

static bool body_or_idle(const correu_smtp_session *s)
{
	return correu_smtp_client_body_ready(s->c) || correu_smtp_client_idle(s->c);
}

static bool idle(const correu_smtp_session *s)
{
	return correu_smtp_client_idle(s->c);
}

/* Queue message i behind the previous one, wait for the go-ahead and
 * stream it; a refusal is the item's result, not the batch's. */
static int send_one(struct batch *b, size_t i)
{
	correu_smtp_session *s = b->s;
	correu_smtp_batch_item *it = &b->items[i];
	struct correu__smtp_mem m = { it->msg, it->msg_len };
	correu_smtp_reader_fn reader = it->reader ? it->reader : correu__smtp_mem_read;
	void *ud = it->reader ? it->reader_userdata : &m;
	uint64_t size = it->reader ? it->size_hint : it->msg_len;
	int rc;

	while (i - b->oldest >= WINDOW) {
		rc = s->base.error ? s->base.error : correu__smtp_session_io(s);
		if (rc < 0)
			return rc;
	}
	memset(slot_of(b, i), 0, sizeof(struct slot));
	rc = correu__smtp_session_envelope(s, it->env, size);
	b->begun = i + 1;
	if (rc < 0) {
		/* Refused before reaching the wire (a bad address, an extension
		 * the server lacks): this message only, unless the core died. */
		if (correu_smtp_client_error(s->c))
			return rc;
		finish(b, i, rc);
		return 0;
	}
	slot_of(b, i)->txn = correu_smtp_client_transaction(s->c);
	rc = correu__smtp_session_until(s, body_or_idle);
	if (rc < 0)
		return rc;
	if (!correu_smtp_client_body_ready(s->c)) {
		finish(b, i, CORREU_ERR_REPLY); /* MAIL, every RCPT or DATA refused */
		return 0;
	}
	rc = correu__smtp_session_body(s, reader, ud, size);
	if (rc == CORREU_ERR_REPLY) {
		finish(b, i, rc); /* a chunk refused */
		return 0;
	}
	return rc;
}

static int check_items(const correu_smtp_batch_item *items, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const correu_smtp_batch_item *it = &items[i];
		const correu_smtp_envelope *env = it->env;

		if (it->version != CORREU_SMTP_BATCH_ITEM_VERSION || !env ||
		    env->version != CORREU_SMTP_ENVELOPE_VERSION || !env->from || !env->to ||
		    env->to_count == 0 || env->to_count > UINT32_MAX ||
		    (!it->reader && it->msg_len && !it->msg))
			return CORREU_ERR_ARG;
	}
	return 0;
}

int correu_smtp_session_send_many(correu_smtp_session *s, correu_smtp_batch_item *items,
                                  size_t count)
{
	struct batch b;
	int rc, accepted = 0;

	if (!s || (count && !items))
		return CORREU_ERR_ARG;
	rc = check_items(items, count);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < count; i++) {
		/* A broken session finishes none: each holds its error, as documented. */
		items[i].result = s->base.error;
		items[i].code = 0;
		if (items[i].rcpt_codes)
			memset(items[i].rcpt_codes, 0, items[i].env->to_count * sizeof(uint32_t));
	}
	if (s->base.error)
		return s->base.error;
	/* Per-message codes live in the items; the single-message record
	 * would only mix the messages up. */
	if (s->rcpt_codes)
		correu__free(s->base.alloc, s->rcpt_codes, s->nrcpt * sizeof(*s->rcpt_codes));
	s->rcpt_codes = NULL;
	s->nrcpt = 0;
	memset(&b, 0, sizeof(b));
	b.s = s;
	b.items = items;
	b.lmtp = (s->set.flags & CORREU_SMTP_LMTP) != 0;
	s->tap = tap;
	s->tap_userdata = &b;
	for (size_t i = 0; i < count && rc == 0; i++)
		rc = send_one(&b, i);
	if (rc == 0)
		rc = correu__smtp_session_until(s, idle);
	s->tap = NULL;
	s->tap_userdata = NULL;
	for (size_t i = 0; i < count; i++) {
		/* A decided message never has 0: that marks one left undone. */
		if (rc < 0 && items[i].result == 0)
			items[i].result = rc;
		if (items[i].result > 0 && accepted < INT32_MAX)
			accepted++;
	}
	return rc < 0 ? rc : accepted;
}
