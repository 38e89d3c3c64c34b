/*
 * Event delivery for the IMAP response parser (IMAP layer): filling an
 * event with what every event of the response shares, calling the
 * application, turning a callback's refusal into the parser's sticky fatal
 * error, and recording why a response is malformed.
 */
#include <string.h>

#include "imap_internal.h"

void correu__imap_ev_init(correu_imap_parser *p, correu_imap_event *ev, uint32_t type,
                          uint32_t item)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = CORREU_IMAP_EVENT_VERSION;
	ev->type = type;
	ev->resp = p->resp;
	ev->item = item;
	ev->depth = p->item_depth;
	ev->tag = p->tag;
	ev->tag_len = p->tag_len;
}

int correu__imap_emit(correu_imap_parser *p, correu_imap_event *ev)
{
	int rc = p->set.on_event(ev, p->set.event_userdata);

	if (rc >= 0)
		return 0;
	/* The application stopped us: fatal, and not the peer's fault. */
	p->fatal = rc;
	return rc;
}

int correu__imap_item(correu_imap_parser *p, uint32_t item, const struct ip_str *a,
                      const struct ip_str *b)
{
	correu_imap_event ev;

	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, item);
	if (a) {
		ev.str[0] = a->s;
		ev.str_len[0] = a->len;
		if (!a->s)
			ev.flags |= CORREU_IMAP_EVF_NIL;
	}
	if (b) {
		ev.str[1] = b->s;
		ev.str_len[1] = b->len;
	}
	return correu__imap_emit(p, &ev);
}

int correu__imap_item_num(correu_imap_parser *p, uint32_t item, uint64_t num)
{
	correu_imap_event ev;

	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, item);
	ev.num = num;
	return correu__imap_emit(p, &ev);
}

int correu__imap_fail(correu_imap_parser *p, int err, const char *msg)
{
	if (err == CORREU_ERR_NOMEM || err == CORREU_ERR_INTERNAL) {
		if (!p->fatal)
			p->fatal = err;
		return err;
	}
	/* Keep the first reason: later ones are consequences of it. */
	if (!p->perr) {
		p->perr = err;
		p->pmsg = msg;
	}
	return err;
}
