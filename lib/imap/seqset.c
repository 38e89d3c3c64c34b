/*
 * Sequence sets (IMAP layer): reading "1:4,7,9:*" one range at a time
 * (RFC 9051 §9 sequence-set). The response parser checks sets with it and
 * hands them on as sent; the application walks them with the same call.
 */
#include "imap_internal.h"

/* seq-number = nz-number / "*" */
static int seq_number(const char *s, size_t len, size_t *pos, uint32_t *out)
{
	uint64_t v = 0;
	size_t start = *pos;

	if (*pos < len && s[*pos] == '*') {
		(*pos)++;
		*out = CORREU_IMAP_SEQ_STAR;
		return 0;
	}
	while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
		v = v * 10 + (uint64_t)(s[*pos] - '0');
		if (v > UINT32_MAX)
			return CORREU_ERR_SYNTAX;
		(*pos)++;
	}
	/* nz-number: no zero, and no leading zero either. */
	if (*pos == start || v == 0 || s[start] == '0')
		return CORREU_ERR_SYNTAX;
	*out = (uint32_t)v;
	return 0;
}

int correu_imap_seqset_next(const char *set, size_t len, size_t *pos, uint32_t *first_out,
                            uint32_t *last_out)
{
	uint32_t a, b;
	size_t at;

	if (!pos || !first_out || !last_out || (!set && len))
		return CORREU_ERR_ARG;
	at = *pos;
	if (at >= len)
		return 0;
	if (at > 0) {
		if (set[at] != ',')
			return CORREU_ERR_SYNTAX;
		at++;
	}
	if (seq_number(set, len, &at, &a) < 0)
		return CORREU_ERR_SYNTAX;
	b = a;
	if (at < len && set[at] == ':') {
		at++;
		if (seq_number(set, len, &at, &b) < 0)
			return CORREU_ERR_SYNTAX;
	}
	if (at < len && set[at] != ',')
		return CORREU_ERR_SYNTAX;
	/* "a:b" and "b:a" are the same range (RFC 9051 §9 seq-range). */
	*first_out = a < b ? a : b;
	*last_out = a < b ? b : a;
	*pos = at;
	return CORREU_IMAP_SEQSET_RANGE;
}
