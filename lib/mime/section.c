/*
 * IMAP section specifiers resolved to byte ranges (MIME layer), following
 * RFC 9051 §6.4.5 (RFC 3501 §6.4.5): part numbers walk multiparts, and a
 * number below a message/rfc822 part walks the message inside it; a
 * non-multipart message has one part, "1", its body.
 */
#include "mime_internal.h"

static uint32_t nth_child(const correu_mime_message *m, uint32_t part, uint64_t n)
{
	uint32_t c = m->parts[part].first_child;

	while (c != CORREU_MIME_NONE && --n > 0)
		c = m->parts[c].next_sibling;
	return c;
}

int correu_mime_section_range(const correu_mime_message *m, const char *sec, size_t len,
                              uint64_t *off_out, uint64_t *size_out, uint32_t *part_out)
{
	const uint8_t *s = (const uint8_t *)sec;
	uint32_t cur = 0;
	bool is_msg = true; /* cur is a message (its header is HEADER) */
	size_t i = 0;
	const struct correu__mime_part *p;
	uint64_t a, b;

	if (!m || (!sec && len) || !off_out || !size_out)
		return CORREU_ERR_ARG;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		uint64_t n = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (n > UINT32_MAX)
				return CORREU_ERR_NOT_FOUND;
			n = n * 10 + (s[i++] - '0');
		}
		if (n == 0)
			return CORREU_ERR_SYNTAX;
		if (!is_msg && m->parts[cur].kind == CORREU_MIME_KIND_MESSAGE) {
			cur = m->parts[cur].first_child;
			is_msg = true;
		}
		if (m->parts[cur].kind == CORREU_MIME_KIND_MULTIPART)
			cur = nth_child(m, cur, n);
		else if (!(is_msg && n == 1))
			return CORREU_ERR_NOT_FOUND;
		if (cur == CORREU_MIME_NONE)
			return CORREU_ERR_NOT_FOUND;
		is_msg = false;
		if (i < len) {
			if (s[i] != '.' || i + 1 == len)
				return CORREU_ERR_SYNTAX;
			i++;
		}
	}
	p = &m->parts[cur];
	if (i == len) {
		if (is_msg) { /* "" : the whole message */
			a = 0;
			b = m->size;
		} else {
			a = p->body_off;
			b = p->end;
		}
	} else if (correu__mime_ieq(s + i, len - i, "MIME")) {
		if (is_msg)
			return CORREU_ERR_SYNTAX; /* not valid without a part number */
		a = p->hdr_off;
		b = p->body_off;
	} else if (correu__mime_ieq(s + i, len - i, "HEADER") ||
	           correu__mime_ieq(s + i, len - i, "TEXT") ||
	           (len - i > 13 &&
	            correu__mime_ieqn(s + i, (const uint8_t *)"HEADER.FIELDS", 13))) {
		if (!is_msg) {
			if (p->kind != CORREU_MIME_KIND_MESSAGE)
				return CORREU_ERR_NOT_FOUND;
			cur = p->first_child;
			p = &m->parts[cur];
		}
		if (s[i] == 'H' || s[i] == 'h') {
			a = p->hdr_off;
			b = p->body_off;
		} else {
			a = p->body_off;
			b = p->end;
		}
	} else {
		return CORREU_ERR_SYNTAX;
	}
	*off_out = a;
	*size_out = b - a;
	if (part_out)
		*part_out = cur;
	return 0;
}
