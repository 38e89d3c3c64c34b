/*
 * The IMAP client's searches with return options (IMAP layer): SEARCH
 * RETURN (RFC 4731) and SORT RETURN (ESORT, RFC 5267 §3), both with the
 * PARTIAL window (RFC 9394, RFC 5267 §4.4). One writer of the RETURN list
 * serves both, so the option words and the window are checked once.
 */
#include <string.h>

#include "client_internal.h"

#define RETURN_ALL_OPTS                                                              \
	(CORREU_IMAP_RETURN_MIN | CORREU_IMAP_RETURN_MAX | CORREU_IMAP_RETURN_ALL |  \
	 CORREU_IMAP_RETURN_COUNT | CORREU_IMAP_RETURN_PARTIAL)

/* RFC 9394 §3.1: a window counts from the start (1:100) or from the end
 * (-1:-100); both ends on the same side, none of them zero. */
static bool window_ok(uint32_t flags, int32_t first, int32_t last)
{
	if (!(flags & CORREU_IMAP_RETURN_PARTIAL))
		return first == 0 && last == 0;
	if (first > 0)
		return last >= first;
	return first < 0 && last <= first && last != INT32_MIN;
}

static bool has_cap(const correu_imap_client *c, const char *name)
{
	return correu__imapc_caps_has(&c->caps, name, strlen(name));
}

static void put_signed(struct correu__imapc_put *p, int32_t v)
{
	if (v < 0)
		correu__imapc_p_text(p, "-");
	correu__imapc_p_num(p, v < 0 ? (uint64_t)(-(int64_t)v) : (uint64_t)v);
}

/* " RETURN (MIN MAX ALL COUNT PARTIAL a:b)" in RFC 4731 §3.1 order. */
static void put_return(struct correu__imapc_put *p, uint32_t flags, int32_t first, int32_t last)
{
	correu__imapc_p_text(p, " RETURN (");
	if (flags & CORREU_IMAP_RETURN_MIN)
		correu__imapc_p_raw(p, "MIN");
	if (flags & CORREU_IMAP_RETURN_MAX)
		correu__imapc_p_raw(p, "MAX");
	if (flags & CORREU_IMAP_RETURN_ALL)
		correu__imapc_p_raw(p, "ALL");
	if (flags & CORREU_IMAP_RETURN_COUNT)
		correu__imapc_p_raw(p, "COUNT");
	if (flags & CORREU_IMAP_RETURN_PARTIAL) {
		correu__imapc_p_raw(p, "PARTIAL");
		correu__imapc_p_text(p, " ");
		put_signed(p, first);
		correu__imapc_p_text(p, ":");
		put_signed(p, last);
	}
	correu__imapc_p_text(p, ")");
}

int correu_imap_client_search_return(correu_imap_client *c, uint32_t flags, int32_t partial_first,
                                     int32_t partial_last, const char *charset,
                                     const char *criteria, size_t len)
{
	struct correu__imapc_put p;

	if (!c || (flags & ~(RETURN_ALL_OPTS | CORREU_IMAP_UID)) || !(flags & RETURN_ALL_OPTS) ||
	    !window_ok(flags, partial_first, partial_last) || !criteria || len == 0)
		return CORREU_ERR_ARG;
	if (correu__imapc_need(c, CORREU_IMAP_CAP_ESEARCH | CORREU_IMAP_CAP_IMAP4REV2) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if ((flags & CORREU_IMAP_RETURN_PARTIAL) && !has_cap(c, "PARTIAL") &&
	    !has_cap(c, "CONTEXT=SEARCH"))
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_SEARCH,
	                          correu__imapc_uid_name(flags, "SEARCH", "UID SEARCH")) < 0)
		return p.rc;
	/* RFC 4731 §3.1: RETURN (...) comes before the charset and keys. */
	put_return(&p, flags, partial_first, partial_last);
	if (charset) {
		correu__imapc_p_text(&p, " CHARSET");
		correu__imapc_p_str(&p, charset, strlen(charset));
	}
	correu__imapc_p_rawn(&p, criteria, len);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_sort_return(correu_imap_client *c, uint32_t flags, int32_t partial_first,
                                   int32_t partial_last, const char *program, size_t program_len,
                                   const char *charset, const char *criteria, size_t criteria_len)
{
	struct correu__imapc_put p;

	if (!c || (flags & ~(RETURN_ALL_OPTS | CORREU_IMAP_UID)) || !(flags & RETURN_ALL_OPTS) ||
	    !window_ok(flags, partial_first, partial_last) || !charset || !*charset)
		return CORREU_ERR_ARG;
	/* RFC 5267 §3: ESORT; §4.4: PARTIAL comes with CONTEXT=SORT. */
	if (!has_cap(c, "ESORT") && !has_cap(c, "CONTEXT=SORT"))
		return CORREU_ERR_UNSUPPORTED;
	if ((flags & CORREU_IMAP_RETURN_PARTIAL) && !has_cap(c, "CONTEXT=SORT"))
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_SORT,
	                          correu__imapc_uid_name(flags, "SORT", "UID SORT")) < 0)
		return p.rc;
	/* RFC 5267 §3.1: sort = ["UID" SP] "SORT" [search-return-opts] SP ... */
	put_return(&p, flags, partial_first, partial_last);
	correu__imapc_p_rawn(&p, program, program_len);
	correu__imapc_p_str(&p, charset, strlen(charset));
	correu__imapc_p_rawn(&p, criteria, criteria_len);
	return correu__imapc_p_finish(&p);
}
