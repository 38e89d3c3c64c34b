/*
 * Untagged data responses about capabilities, flags and searches (IMAP
 * layer, response parser): CAPABILITY and ENABLED (RFC 9051 §7.2, RFC
 * 5161), FLAGS (§7.3.5), SEARCH and SORT with MODSEQ (RFC 3501 §7.2.5,
 * RFC 5256, RFC 7162 §3.1.5), ESEARCH (RFC 4731, RFC 9051 §7.3.4), THREAD
 * (RFC 5256, reported flat with depths, no recursion) and VANISHED (RFC
 * 7162 §3.2.10). Everything else goes to resp_mailbox.c.
 */
#include "imap_internal.h"

static int count(correu_imap_parser *p, uint32_t *n)
{
	if (++*n > p->set.max_list)
		return correu__imap_fail(p, CORREU_ERR_LIMIT, "list too long");
	return 0;
}

/* *(SP atom), one ATOM item each. */
static int atoms(correu_imap_parser *p)
{
	struct ip_str a;
	uint32_t n = 0;
	int rc;

	while (correu__imap_accept(p, ' ')) {
		if ((rc = count(p, &n)) < 0 || (rc = correu__imap_atom(p, &a)) < 0 ||
		    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_ATOM, &a, NULL)) < 0)
			return rc;
	}
	return correu__imap_end(p);
}

int correu__imap_list(correu_imap_parser *p, uint32_t item, uint32_t code)
{
	struct ip_str s;
	uint32_t n = 0;
	int rc;

	if ((rc = correu__imap_open(p)) < 0)
		return rc;
	while (ip_peek(p) != ')') {
		if (n > 0 && (rc = correu__imap_sp(p)) < 0)
			return rc;
		if ((rc = count(p, &n)) == 0)
			rc = item == CORREU_IMAP_ITEM_FLAG ? correu__imap_flag(p, &s)
			                                   : correu__imap_astring(p, &s);
		if (rc < 0 || (rc = correu__imap_code_item(p, item, code, &s)) < 0)
			return rc;
	}
	return correu__imap_close(p);
}

int correu__imap_flag_list(correu_imap_parser *p)
{
	return correu__imap_list(p, CORREU_IMAP_ITEM_FLAG, 0);
}

/* "(" "MODSEQ" SP mod-sequence-value ")" after SEARCH or SORT results. */
static int modseq_list(correu_imap_parser *p)
{
	uint64_t v;
	int rc;

	if ((rc = correu__imap_open(p)) < 0)
		return rc;
	if (!correu__imap_word(p, "MODSEQ"))
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected MODSEQ");
	if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_number(p, INT64_MAX, &v)) < 0 ||
	    (rc = correu__imap_item_num(p, CORREU_IMAP_ITEM_MODSEQ, v)) < 0)
		return rc;
	return correu__imap_close(p);
}

static int numbers(correu_imap_parser *p)
{
	uint64_t v;
	uint32_t n = 0;
	int rc;

	while (correu__imap_accept(p, ' ')) {
		if (ip_peek(p) == '(') {
			if ((rc = modseq_list(p)) < 0)
				return rc;
			break;
		}
		if ((rc = count(p, &n)) < 0 || (rc = correu__imap_nz_number(p, &v)) < 0 ||
		    (rc = correu__imap_item_num(p, CORREU_IMAP_ITEM_NUMBER, v)) < 0)
			return rc;
	}
	return correu__imap_end(p);
}

/* One search-return-data: MIN, MAX, COUNT, ALL, MODSEQ or an extension. */
static int esearch_data(correu_imap_parser *p)
{
	struct ip_str name, raw;
	uint64_t v;
	uint32_t item = 0;
	int rc;

	if ((rc = correu__imap_atom(p, &name)) < 0 || (rc = correu__imap_sp(p)) < 0)
		return rc;
	p->pos -= name.len + 1;
	if (correu__imap_word(p, "MIN"))
		item = CORREU_IMAP_ITEM_ESEARCH_MIN;
	else if (correu__imap_word(p, "MAX"))
		item = CORREU_IMAP_ITEM_ESEARCH_MAX;
	else if (correu__imap_word(p, "COUNT"))
		item = CORREU_IMAP_ITEM_ESEARCH_COUNT;
	else if (correu__imap_word(p, "MODSEQ"))
		item = CORREU_IMAP_ITEM_MODSEQ;
	else if (correu__imap_word(p, "ALL"))
		item = CORREU_IMAP_ITEM_SEQSET;
	else
		p->pos += name.len;
	p->pos++; /* the space */
	if (item == CORREU_IMAP_ITEM_SEQSET) {
		if ((rc = correu__imap_seqset(p, &raw)) < 0)
			return rc;
		return correu__imap_item(p, item, &raw, NULL);
	}
	if (item) {
		if ((rc = correu__imap_number(p, INT64_MAX, &v)) < 0)
			return rc;
		return correu__imap_item_num(p, item, v);
	}
	if ((rc = correu__imap_skip_value(p, &raw)) < 0)
		return rc;
	return correu__imap_item(p, CORREU_IMAP_ITEM_OTHER, &name, &raw);
}

/* esearch-response = "ESEARCH" [search-correlator] [SP "UID"]
 *                    *(SP search-return-data) */
static int esearch(correu_imap_parser *p)
{
	struct ip_str t;
	uint32_t n = 0;
	int rc;

	if (!correu__imap_accept(p, ' '))
		return correu__imap_end(p);
	if (ip_peek(p) == '(') {
		if ((rc = correu__imap_open(p)) < 0)
			return rc;
		if (!correu__imap_word(p, "TAG"))
			return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected TAG");
		if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_astring(p, &t)) < 0 ||
		    (rc = correu__imap_close(p)) < 0 ||
		    (rc = correu__imap_item(p, CORREU_IMAP_ITEM_ESEARCH_TAG, &t, NULL)) < 0)
			return rc;
		if (!correu__imap_accept(p, ' '))
			return correu__imap_end(p);
	}
	if (correu__imap_word(p, "UID")) {
		if ((rc = correu__imap_item_num(p, CORREU_IMAP_ITEM_ESEARCH_UID, 0)) < 0)
			return rc;
		if (!correu__imap_accept(p, ' '))
			return correu__imap_end(p);
	}
	do {
		if ((rc = count(p, &n)) < 0 || (rc = esearch_data(p)) < 0)
			return rc;
	} while (correu__imap_accept(p, ' '));
	return correu__imap_end(p);
}

static int thread_event(correu_imap_parser *p, uint32_t item, uint64_t num)
{
	correu_imap_event ev;

	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, item);
	ev.depth = p->depth;
	ev.num = num;
	return correu__imap_emit(p, &ev);
}

/* thread-data = "THREAD" [SP 1*thread-list] (RFC 5256 §5): walked as a
 * flat token stream, the nesting only counted. */
static int thread(correu_imap_parser *p)
{
	uint64_t v;
	uint32_t n = 0;
	int rc;

	if (!correu__imap_accept(p, ' '))
		return correu__imap_end(p);
	do {
		int c = ip_peek(p);

		if (c == '(') {
			if ((rc = correu__imap_open(p)) < 0 ||
			    (rc = thread_event(p, CORREU_IMAP_ITEM_THREAD_OPEN, 0)) < 0)
				return rc;
			continue;
		}
		if (p->depth == 0)
			return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected \"(\"");
		if (c == ')') {
			if (p->pos[-1] == '(' || p->pos[-1] == ' ')
				return correu__imap_fail(p, CORREU_ERR_SYNTAX, "empty thread");
			if ((rc = thread_event(p, CORREU_IMAP_ITEM_THREAD_CLOSE, 0)) < 0 ||
			    (rc = correu__imap_close(p)) < 0)
				return rc;
			continue;
		}
		if (c == ' ' && p->pos[-1] != '(' && p->pos[-1] != ' ') {
			p->pos++;
			continue;
		}
		if ((rc = count(p, &n)) < 0 || (rc = correu__imap_nz_number(p, &v)) < 0 ||
		    (rc = thread_event(p, CORREU_IMAP_ITEM_NUMBER, v)) < 0)
			return rc;
	} while (!ip_at_end(p));
	if (p->depth != 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "unbalanced thread list");
	return correu__imap_end(p);
}

/* "VANISHED" [SP "(EARLIER)"] SP known-uids */
static int vanished(correu_imap_parser *p)
{
	correu_imap_event ev;
	struct ip_str set;
	bool earlier = false;
	int rc;

	if ((rc = correu__imap_sp(p)) < 0)
		return rc;
	if (ip_peek(p) == '(') {
		if ((rc = correu__imap_open(p)) < 0)
			return rc;
		if (!correu__imap_word(p, "EARLIER"))
			return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected EARLIER");
		if ((rc = correu__imap_close(p)) < 0 || (rc = correu__imap_sp(p)) < 0)
			return rc;
		earlier = true;
	}
	if ((rc = correu__imap_seqset(p, &set)) < 0)
		return rc;
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, CORREU_IMAP_ITEM_SEQSET);
	ev.str[0] = set.s;
	ev.str_len[0] = set.len;
	ev.flags = earlier ? CORREU_IMAP_EVF_EARLIER : 0;
	if ((rc = correu__imap_emit(p, &ev)) < 0)
		return rc;
	return correu__imap_end(p);
}

int correu__imap_parse_data(correu_imap_parser *p, const struct ip_str *name)
{
	static const struct {
		const char *name;
		uint32_t resp;
	} kinds[] = {
		{ "CAPABILITY", CORREU_IMAP_RESP_CAPABILITY },
		{ "ENABLED", CORREU_IMAP_RESP_ENABLED },
		{ "FLAGS", CORREU_IMAP_RESP_FLAGS },
		{ "SEARCH", CORREU_IMAP_RESP_SEARCH },
		{ "SORT", CORREU_IMAP_RESP_SORT },
		{ "ESEARCH", CORREU_IMAP_RESP_ESEARCH },
		{ "THREAD", CORREU_IMAP_RESP_THREAD },
		{ "VANISHED", CORREU_IMAP_RESP_VANISHED },
		{ "LIST", CORREU_IMAP_RESP_LIST },
		{ "LSUB", CORREU_IMAP_RESP_LSUB },
		{ "STATUS", CORREU_IMAP_RESP_STATUS },
		{ "NAMESPACE", CORREU_IMAP_RESP_NAMESPACE },
		{ "ID", CORREU_IMAP_RESP_ID },
		{ "QUOTA", CORREU_IMAP_RESP_QUOTA },
		{ "QUOTAROOT", CORREU_IMAP_RESP_QUOTAROOT },
		{ "METADATA", CORREU_IMAP_RESP_METADATA },
	};
	uint32_t resp = CORREU_IMAP_RESP_OTHER;
	size_t i;
	int rc;

	p->pos -= name->len;
	for (i = 0; i < CORREU__ARRAY_LEN(kinds); i++) {
		if (correu__imap_word(p, kinds[i].name)) {
			resp = kinds[i].resp;
			break;
		}
	}
	if (resp == CORREU_IMAP_RESP_OTHER) {
		p->pos += name->len;
		return correu__imap_parse_other(p, name, 0);
	}
	if ((rc = correu__imap_begin(p, resp, 0)) < 0)
		return rc;
	switch (resp) {
	case CORREU_IMAP_RESP_CAPABILITY:
	case CORREU_IMAP_RESP_ENABLED: return atoms(p);
	case CORREU_IMAP_RESP_FLAGS:
		if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_flag_list(p)) < 0)
			return rc;
		return correu__imap_end(p);
	case CORREU_IMAP_RESP_SEARCH:
	case CORREU_IMAP_RESP_SORT: return numbers(p);
	case CORREU_IMAP_RESP_ESEARCH: return esearch(p);
	case CORREU_IMAP_RESP_THREAD: return thread(p);
	case CORREU_IMAP_RESP_VANISHED: return vanished(p);
	default: return correu__imap_parse_mailbox_data(p, resp);
	}
}
