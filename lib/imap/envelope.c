/*
 * ENVELOPE (IMAP layer, response parser; RFC 9051 §7.5.2): ten fields in a
 * fixed order, six of them address lists. Reported as an ENVELOPE marker,
 * one item per field and one ADDRESS item per address, groups marked as
 * the RFC describes them (a start with NIL host, an end with NIL mailbox
 * and host). The nesting is fixed, so plain calls suffice here.
 */
#include "imap_internal.h"

static int nstring_item(correu_imap_parser *p, uint32_t item)
{
	struct ip_str s;
	int rc = correu__imap_nstring(p, &s);

	return rc < 0 ? rc : correu__imap_item(p, item, &s, NULL);
}

/* address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")" */
static int address(correu_imap_parser *p)
{
	correu_imap_event ev;
	struct ip_str f[4];
	int i, rc;

	if ((rc = correu__imap_open(p)) < 0)
		return rc;
	for (i = 0; i < 4; i++) {
		if ((i > 0 && (rc = correu__imap_sp(p)) < 0) ||
		    (rc = correu__imap_nstring(p, &f[i])) < 0)
			return rc;
	}
	if ((rc = correu__imap_close(p)) < 0)
		return rc;
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, CORREU_IMAP_ITEM_ADDRESS);
	for (i = 0; i < 4; i++) {
		ev.str[i] = f[i].s;
		ev.str_len[i] = f[i].len;
	}
	if (!f[3].s)
		ev.flags = f[2].s ? CORREU_IMAP_EVF_GROUP_BEGIN : CORREU_IMAP_EVF_GROUP_END;
	return correu__imap_emit(p, &ev);
}

/* "(" 1*address ")" / nil; a space between addresses is tolerated. */
static int address_list(correu_imap_parser *p, uint32_t item)
{
	struct ip_str nil = { NULL, 0 };
	uint32_t n = 0;
	int rc;

	if (correu__imap_word(p, "NIL"))
		return correu__imap_item(p, item, &nil, NULL);
	if ((rc = correu__imap_item(p, item, NULL, NULL)) < 0 || (rc = correu__imap_open(p)) < 0)
		return rc;
	do {
		if (++n > p->set.max_list)
			return correu__imap_fail(p, CORREU_ERR_LIMIT, "list too long");
		if ((rc = address(p)) < 0)
			return rc;
		if (ip_peek(p) == ' ' && p->pos + 1 < p->end && p->pos[1] == '(')
			p->pos++;
	} while (ip_peek(p) == '(');
	return correu__imap_close(p);
}

int correu__imap_parse_envelope(correu_imap_parser *p)
{
	static const uint32_t lists[6] = {
		CORREU_IMAP_ITEM_ENV_FROM,     CORREU_IMAP_ITEM_ENV_SENDER,
		CORREU_IMAP_ITEM_ENV_REPLY_TO, CORREU_IMAP_ITEM_ENV_TO,
		CORREU_IMAP_ITEM_ENV_CC,       CORREU_IMAP_ITEM_ENV_BCC
	};
	int i, rc;

	if ((rc = correu__imap_item(p, CORREU_IMAP_ITEM_ENVELOPE, NULL, NULL)) < 0 ||
	    (rc = correu__imap_open(p)) < 0 ||
	    (rc = nstring_item(p, CORREU_IMAP_ITEM_ENV_DATE)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 ||
	    (rc = nstring_item(p, CORREU_IMAP_ITEM_ENV_SUBJECT)) < 0)
		return rc;
	for (i = 0; i < 6; i++) {
		if ((rc = correu__imap_sp(p)) < 0 || (rc = address_list(p, lists[i])) < 0)
			return rc;
	}
	if ((rc = correu__imap_sp(p)) < 0 ||
	    (rc = nstring_item(p, CORREU_IMAP_ITEM_ENV_IN_REPLY_TO)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 ||
	    (rc = nstring_item(p, CORREU_IMAP_ITEM_ENV_MESSAGE_ID)) < 0)
		return rc;
	return correu__imap_close(p);
}
