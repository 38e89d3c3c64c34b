/*
 * Untagged data responses about mailboxes (IMAP layer, response parser):
 * LIST and LSUB with extended data (RFC 9051 §7.3.1, RFC 5258), STATUS
 * (§7.3.2, RFC 7162, RFC 7889, RFC 8474, RFC 8438), NAMESPACE (§7.3.3),
 * ID (RFC 2971), QUOTA and QUOTAROOT (RFC 9208) and METADATA (RFC 5464).
 * Mailbox names are reported in UTF-8 and as sent.
 */
#include <string.h>
#include <strings.h>

#include "imap_internal.h"

static bool is(const struct ip_str *s, const char *w)
{
	size_t n = strlen(w);

	return s->s && s->len == n && strncasecmp(s->s, w, n) == 0;
}

static int count(correu_imap_parser *p, uint32_t *n)
{
	if (++*n > p->set.max_list)
		return correu__imap_fail(p, CORREU_ERR_LIMIT, "list too long");
	return 0;
}

/* Before the next element of a list: a space unless it is the first. */
static int next_elem(correu_imap_parser *p, uint32_t *n)
{
	int rc;

	if (*n > 0 && (rc = correu__imap_sp(p)) < 0)
		return rc;
	return count(p, n);
}

static int mailbox_item(correu_imap_parser *p, uint32_t item)
{
	struct ip_str utf8, raw;
	int rc = correu__imap_mailbox(p, &utf8, &raw);

	return rc < 0 ? rc : correu__imap_item(p, item, &utf8, &raw);
}

/* DQUOTE QUOTED-CHAR DQUOTE / nil: a hierarchy delimiter. */
static int delimiter(correu_imap_parser *p, struct ip_str *d)
{
	int rc = correu__imap_nstring(p, d);

	if (rc == 0 && d->s && d->len != 1)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "delimiter is not one character");
	return rc;
}

/* mbox-list-extended = "(" [item *(SP item)] ")", item = tag SP value */
static int list_extended(correu_imap_parser *p)
{
	struct ip_str tag, v;
	uint32_t n = 0, m;
	int rc;

	if ((rc = correu__imap_open(p)) < 0)
		return rc;
	while (ip_peek(p) != ')') {
		if ((rc = next_elem(p, &n)) < 0 || (rc = correu__imap_astring(p, &tag)) < 0 ||
		    (rc = correu__imap_sp(p)) < 0)
			return rc;
		if (is(&tag, "CHILDINFO")) {
			if ((rc = correu__imap_open(p)) < 0)
				return rc;
			for (m = 0; ip_peek(p) != ')';) {
				if ((rc = next_elem(p, &m)) < 0 ||
				    (rc = correu__imap_string(p, &v)) < 0 ||
				    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_CHILDINFO, &v,
				                            NULL)) < 0)
					return rc;
			}
			rc = correu__imap_close(p);
		} else if (is(&tag, "OLDNAME")) {
			if ((rc = correu__imap_open(p)) < 0 ||
			    (rc = mailbox_item(p, CORREU_IMAP_ITEM_OLDNAME)) < 0)
				return rc;
			rc = correu__imap_close(p);
		} else {
			if ((rc = correu__imap_skip_value(p, &v)) < 0)
				return rc;
			rc = correu__imap_item(p, CORREU_IMAP_ITEM_OTHER, &tag, &v);
		}
		if (rc < 0)
			return rc;
	}
	return correu__imap_close(p);
}

/* mailbox-list = "(" [mbx-list-flags] ")" SP (quoted-char / nil) SP
 * mailbox [SP mbox-list-extended] */
static int list(correu_imap_parser *p)
{
	struct ip_str a;
	uint32_t n = 0;
	int rc;

	if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_open(p)) < 0)
		return rc;
	while (ip_peek(p) != ')') {
		if ((rc = next_elem(p, &n)) < 0 || (rc = correu__imap_flag(p, &a)) < 0 ||
		    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_MBOX_ATTR, &a, NULL)) < 0)
			return rc;
	}
	if ((rc = correu__imap_close(p)) < 0 || (rc = correu__imap_sp(p)) < 0 ||
	    (rc = delimiter(p, &a)) < 0 ||
	    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_DELIMITER, &a, NULL)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 || (rc = mailbox_item(p, CORREU_IMAP_ITEM_MAILBOX)) < 0)
		return rc;
	if (correu__imap_accept(p, ' ') && (rc = list_extended(p)) < 0)
		return rc;
	return correu__imap_end(p);
}

/* status-att-val (RFC 9051 §9 and the extensions that add attributes). */
static int status_att(correu_imap_parser *p)
{
	static const struct {
		const char *name;
		uint32_t item;
		uint64_t max;
	} atts[] = {
		{ "MESSAGES", CORREU_IMAP_ITEM_STATUS_MESSAGES, UINT32_MAX },
		{ "RECENT", CORREU_IMAP_ITEM_STATUS_RECENT, UINT32_MAX },
		{ "UIDNEXT", CORREU_IMAP_ITEM_STATUS_UIDNEXT, UINT32_MAX },
		{ "UIDVALIDITY", CORREU_IMAP_ITEM_STATUS_UIDVALIDITY, UINT32_MAX },
		{ "UNSEEN", CORREU_IMAP_ITEM_STATUS_UNSEEN, UINT32_MAX },
		{ "DELETED", CORREU_IMAP_ITEM_STATUS_DELETED, UINT32_MAX },
		{ "SIZE", CORREU_IMAP_ITEM_STATUS_SIZE, INT64_MAX },
		{ "HIGHESTMODSEQ", CORREU_IMAP_ITEM_STATUS_HIGHESTMODSEQ, INT64_MAX },
		{ "APPENDLIMIT", CORREU_IMAP_ITEM_STATUS_APPENDLIMIT, INT64_MAX },
	};
	struct ip_str name, v;
	uint64_t num;
	size_t i;
	int rc;

	if ((rc = correu__imap_atom(p, &name)) < 0 || (rc = correu__imap_sp(p)) < 0)
		return rc;
	for (i = 0; i < CORREU__ARRAY_LEN(atts); i++) {
		if (!is(&name, atts[i].name))
			continue;
		if (atts[i].item == CORREU_IMAP_ITEM_STATUS_APPENDLIMIT &&
		    correu__imap_word(p, "NIL")) {
			v.s = NULL;
			v.len = 0;
			return correu__imap_item(p, atts[i].item, &v, NULL);
		}
		if ((rc = correu__imap_number(p, atts[i].max, &num)) < 0)
			return rc;
		return correu__imap_item_num(p, atts[i].item, num);
	}
	if (is(&name, "MAILBOXID")) {
		if ((rc = correu__imap_open(p)) < 0 || (rc = correu__imap_atom(p, &v)) < 0 ||
		    (rc = correu__imap_close(p)) < 0)
			return rc;
		return correu__imap_item(p, CORREU_IMAP_ITEM_STATUS_MAILBOXID, &v, NULL);
	}
	if ((rc = correu__imap_skip_value(p, &v)) < 0)
		return rc;
	return correu__imap_item(p, CORREU_IMAP_ITEM_OTHER, &name, &v);
}

static int status(correu_imap_parser *p)
{
	uint32_t n = 0;
	int rc;

	if ((rc = correu__imap_sp(p)) < 0 || (rc = mailbox_item(p, CORREU_IMAP_ITEM_MAILBOX)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_open(p)) < 0)
		return rc;
	while (ip_peek(p) != ')') {
		if ((rc = next_elem(p, &n)) < 0 || (rc = status_att(p)) < 0)
			return rc;
	}
	if ((rc = correu__imap_close(p)) < 0)
		return rc;
	return correu__imap_end(p);
}

/* namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
 *                   [namespace-response-extensions] ")" */
static int namespace_descr(correu_imap_parser *p)
{
	struct ip_str prefix, raw, d, name, v;
	uint32_t n;
	int rc;

	if ((rc = correu__imap_open(p)) < 0 || (rc = correu__imap_mailbox(p, &prefix, &raw)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 || (rc = delimiter(p, &d)) < 0 ||
	    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_NAMESPACE_ENTRY, &prefix, &d)) < 0)
		return rc;
	while (correu__imap_accept(p, ' ')) {
		if ((rc = correu__imap_string(p, &name)) < 0 || (rc = correu__imap_sp(p)) < 0 ||
		    (rc = correu__imap_open(p)) < 0)
			return rc;
		for (n = 0; ip_peek(p) != ')';) {
			if ((rc = next_elem(p, &n)) < 0 || (rc = correu__imap_string(p, &v)) < 0 ||
			    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_NAMESPACE_EXT, &name, &v)) <
			            0)
				return rc;
		}
		if ((rc = correu__imap_close(p)) < 0)
			return rc;
	}
	return correu__imap_close(p);
}

static int namespace(correu_imap_parser *p)
{
	static const uint32_t kinds[3] = { CORREU_IMAP_ITEM_NAMESPACE_PERSONAL,
		                           CORREU_IMAP_ITEM_NAMESPACE_OTHER,
		                           CORREU_IMAP_ITEM_NAMESPACE_SHARED };
	struct ip_str nil = { NULL, 0 };
	uint32_t n;
	int i, rc;

	for (i = 0; i < 3; i++) {
		if ((rc = correu__imap_sp(p)) < 0)
			return rc;
		if (correu__imap_word(p, "NIL")) {
			if ((rc = correu__imap_item(p, kinds[i], &nil, NULL)) < 0)
				return rc;
			continue;
		}
		if ((rc = correu__imap_item(p, kinds[i], NULL, NULL)) < 0 ||
		    (rc = correu__imap_open(p)) < 0)
			return rc;
		n = 0;
		do {
			if ((rc = count(p, &n)) < 0 || (rc = namespace_descr(p)) < 0)
				return rc;
			/* 1*namespace-descr has no separator; a space is tolerated. */
			if (ip_peek(p) == ' ' && p->pos + 1 < p->end && p->pos[1] == '(')
				p->pos++;
		} while (ip_peek(p) == '(');
		if ((rc = correu__imap_close(p)) < 0)
			return rc;
	}
	return correu__imap_end(p);
}

/* id-response = "ID" SP id-params-list; "(" string SP nstring ... ")" / nil */
static int id(correu_imap_parser *p)
{
	struct ip_str k, v;
	uint32_t n = 0;
	int rc;

	if ((rc = correu__imap_sp(p)) < 0)
		return rc;
	if (correu__imap_word(p, "NIL"))
		return correu__imap_end(p);
	if ((rc = correu__imap_open(p)) < 0)
		return rc;
	while (ip_peek(p) != ')') {
		if ((rc = next_elem(p, &n)) < 0 || (rc = correu__imap_string(p, &k)) < 0 ||
		    (rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_nstring(p, &v)) < 0 ||
		    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_ID_FIELD, &k, &v)) < 0)
			return rc;
	}
	if ((rc = correu__imap_close(p)) < 0)
		return rc;
	return correu__imap_end(p);
}

/* quota-response = "QUOTA" SP astring SP quota-list (RFC 9208 §5.1) */
static int quota(correu_imap_parser *p)
{
	correu_imap_event ev;
	struct ip_str root, res;
	uint64_t usage, limit;
	uint32_t n = 0;
	int rc;

	if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_astring(p, &root)) < 0 ||
	    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_QUOTA_ROOT, &root, NULL)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_open(p)) < 0)
		return rc;
	while (ip_peek(p) != ')') {
		if ((rc = next_elem(p, &n)) < 0 || (rc = correu__imap_atom(p, &res)) < 0 ||
		    (rc = correu__imap_sp(p)) < 0 ||
		    (rc = correu__imap_number(p, INT64_MAX, &usage)) < 0 ||
		    (rc = correu__imap_sp(p)) < 0 ||
		    (rc = correu__imap_number(p, INT64_MAX, &limit)) < 0)
			return rc;
		correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, CORREU_IMAP_ITEM_QUOTA_RESOURCE);
		ev.str[0] = res.s;
		ev.str_len[0] = res.len;
		ev.num = usage;
		ev.num2 = limit;
		if ((rc = correu__imap_emit(p, &ev)) < 0)
			return rc;
	}
	if ((rc = correu__imap_close(p)) < 0)
		return rc;
	return correu__imap_end(p);
}

/* quotaroot-response = "QUOTAROOT" SP mailbox *(SP astring) */
static int quotaroot(correu_imap_parser *p)
{
	struct ip_str root;
	uint32_t n = 0;
	int rc;

	if ((rc = correu__imap_sp(p)) < 0 || (rc = mailbox_item(p, CORREU_IMAP_ITEM_MAILBOX)) < 0)
		return rc;
	while (correu__imap_accept(p, ' ')) {
		if ((rc = count(p, &n)) < 0 || (rc = correu__imap_astring(p, &root)) < 0 ||
		    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_QUOTA_ROOT, &root, NULL)) < 0)
			return rc;
	}
	return correu__imap_end(p);
}

/* "METADATA" SP mailbox SP (entry-values / entry-list) (RFC 5464 §4.4) */
static int metadata(correu_imap_parser *p)
{
	correu_imap_event ev;
	struct ip_str e, v;
	uint32_t n = 0;
	int rc;

	if ((rc = correu__imap_sp(p)) < 0 || (rc = mailbox_item(p, CORREU_IMAP_ITEM_MAILBOX)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0)
		return rc;
	if (ip_peek(p) == '(') {
		if ((rc = correu__imap_open(p)) < 0)
			return rc;
		while (ip_peek(p) != ')') {
			if ((rc = next_elem(p, &n)) < 0 || (rc = correu__imap_astring(p, &e)) < 0 ||
			    (rc = correu__imap_sp(p)) < 0 ||
			    (rc = correu__imap_nstring(p, &v)) < 0 ||
			    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_METADATA_ENTRY, &e, &v)) <
			            0)
				return rc;
		}
		if ((rc = correu__imap_close(p)) < 0)
			return rc;
		return correu__imap_end(p);
	}
	do {
		if ((rc = count(p, &n)) < 0 || (rc = correu__imap_astring(p, &e)) < 0)
			return rc;
		correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, CORREU_IMAP_ITEM_METADATA_ENTRY);
		ev.str[0] = e.s;
		ev.str_len[0] = e.len;
		ev.flags = CORREU_IMAP_EVF_NO_VALUE;
		if ((rc = correu__imap_emit(p, &ev)) < 0)
			return rc;
	} while (correu__imap_accept(p, ' '));
	return correu__imap_end(p);
}

int correu__imap_parse_mailbox_data(correu_imap_parser *p, uint32_t resp)
{
	switch (resp) {
	case CORREU_IMAP_RESP_LIST:
	case CORREU_IMAP_RESP_LSUB: return list(p);
	case CORREU_IMAP_RESP_STATUS: return status(p);
	case CORREU_IMAP_RESP_NAMESPACE: return namespace(p);
	case CORREU_IMAP_RESP_ID: return id(p);
	case CORREU_IMAP_RESP_QUOTA: return quota(p);
	case CORREU_IMAP_RESP_QUOTAROOT: return quotaroot(p);
	default: return metadata(p);
	}
}
