/*
 * The IMAP client's METADATA commands (IMAP layer): GETMETADATA with its
 * MAXSIZE and DEPTH options and SETMETADATA (RFC 5464). Entry names are
 * checked against §3.2 before anything is built; names go through the
 * builder as astrings, values as strings (quoted or literal, never an
 * atom: §4.3 reads them as nstring).
 */
#include <string.h>

#include "client_internal.h"

static bool prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && correu__imapc_eq_nocase(s, n, p, n) && (len == n || s[n] == '/');
}

/* RFC 5464 §3.2: "/shared" or "/private" and below; no "*" or "%", no
 * empty component, no "/" at the end. */
static bool entry_ok(const char *e, size_t len)
{
	if (!e || !(prefix(e, len, "/shared") || prefix(e, len, "/private")) || e[len - 1] == '/')
		return false;
	for (size_t i = 0; i < len; i++)
		if (e[i] == '*' || e[i] == '%' || (e[i] == '/' && i + 1 < len && e[i + 1] == '/'))
			return false;
	return true;
}

static bool entries_ok(const char *const *entries, const size_t *lens, size_t count)
{
	if (!entries || !lens || count == 0)
		return false;
	for (size_t i = 0; i < count; i++)
		if (!entry_ok(entries[i], lens[i]))
			return false;
	return true;
}

/* §4: METADATA covers mailboxes and the server; METADATA-SERVER only the
 * server's entries (the mailbox ""). */
static int need_metadata(const correu_imap_client *c, size_t mailbox_len)
{
	if (correu__imapc_caps_has(&c->caps, "METADATA", 8))
		return 0;
	if (mailbox_len == 0 && correu__imapc_caps_has(&c->caps, "METADATA-SERVER", 15))
		return 0;
	return CORREU_ERR_UNSUPPORTED;
}

/* The mailbox: "" for the server, else a name in UTF-8. */
static void put_target(struct correu__imapc_put *p, const char *mailbox, size_t len)
{
	if (len == 0)
		correu__imapc_p_text(p, " \"\"");
	else
		correu__imapc_p_mbox(p, mailbox, len);
}

int correu_imap_client_getmetadata(correu_imap_client *c, const char *mailbox, size_t mailbox_len,
                                   const char *const *entries, const size_t *entry_lens,
                                   size_t count, uint32_t maxsize, uint32_t depth)
{
	struct correu__imapc_put p;

	if (!c || (mailbox_len && !mailbox) || !entries_ok(entries, entry_lens, count) ||
	    (depth != CORREU_IMAP_DEPTH_0 && depth != CORREU_IMAP_DEPTH_1 &&
	     depth != CORREU_IMAP_DEPTH_INFINITY))
		return CORREU_ERR_ARG;
	if (need_metadata(c, mailbox_len) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_GETMETADATA, "GETMETADATA") < 0)
		return p.rc;
	/* §4.2: the options come first, in parentheses; DEPTH 0 is the
	 * default and not sent. */
	if (maxsize || depth != CORREU_IMAP_DEPTH_0) {
		correu__imapc_p_text(&p, " (");
		if (maxsize) {
			correu__imapc_p_text(&p, "MAXSIZE ");
			correu__imapc_p_num(&p, maxsize);
		}
		if (depth != CORREU_IMAP_DEPTH_0)
			correu__imapc_p_raw(&p, depth == CORREU_IMAP_DEPTH_1 ? "DEPTH 1"
			                                                     : "DEPTH infinity");
		correu__imapc_p_text(&p, ")");
	}
	put_target(&p, mailbox, mailbox_len);
	/* §4.2: one entry alone, or a parenthesised list. */
	if (count > 1)
		correu__imapc_p_text(&p, " (");
	for (size_t i = 0; i < count; i++)
		correu__imapc_p_str(&p, entries[i], entry_lens[i]);
	if (count > 1)
		correu__imapc_p_text(&p, ")");
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_setmetadata(correu_imap_client *c, const char *mailbox, size_t mailbox_len,
                                   const char *const *entries, const size_t *entry_lens,
                                   const char *const *values, const size_t *value_lens,
                                   size_t count)
{
	struct correu__imapc_put p;

	if (!c || (mailbox_len && !mailbox) || !entries_ok(entries, entry_lens, count) ||
	    !values || !value_lens)
		return CORREU_ERR_ARG;
	if (need_metadata(c, mailbox_len) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_SETMETADATA, "SETMETADATA") < 0)
		return p.rc;
	put_target(&p, mailbox, mailbox_len);
	/* §4.3: (entry value entry value ...); NIL removes an entry. */
	correu__imapc_p_text(&p, " (");
	for (size_t i = 0; i < count; i++) {
		correu__imapc_p_str(&p, entries[i], entry_lens[i]);
		if (values[i])
			correu__imapc_p_qstr(&p, values[i], value_lens[i]);
		else
			correu__imapc_p_raw(&p, "NIL");
	}
	correu__imapc_p_text(&p, ")");
	return correu__imapc_p_finish(&p);
}
