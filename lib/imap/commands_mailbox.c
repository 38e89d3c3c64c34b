/*
 * The IMAP client's mailbox commands (IMAP layer): SELECT and EXAMINE with
 * the CONDSTORE and QRESYNC parameters (RFC 7162), STATUS, LIST with the
 * extended selection and return options (RFC 5258, RFC 5819, RFC 6154),
 * CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT and RENAME. Names
 * go through the builder, in modified UTF-7 or UTF-8.
 */
#include <string.h>

#include "client_internal.h"

int correu_imap_client_select(correu_imap_client *c, const char *mailbox, size_t len,
                              uint32_t flags, uint32_t uidvalidity, uint64_t modseq,
                              const char *known_uids, size_t known_len)
{
	bool ro = flags & CORREU_IMAP_SELECT_READ_ONLY;
	struct correu__imapc_put p;

	if (!c || (flags & ~(CORREU_IMAP_SELECT_READ_ONLY | CORREU_IMAP_SELECT_CONDSTORE)))
		return CORREU_ERR_ARG;
	if ((flags & CORREU_IMAP_SELECT_CONDSTORE) &&
	    correu__imapc_need(c, CORREU_IMAP_CAP_CONDSTORE) < 0)
		return CORREU_ERR_UNSUPPORTED;
	/* RFC 7162 §3.2.5: QRESYNC parameters only once it is enabled. */
	if (uidvalidity && !(c->enabled & CORREU_IMAP_CAP_QRESYNC))
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, ro ? CORREU_IMAP_CMD_EXAMINE : CORREU_IMAP_CMD_SELECT,
	                          ro ? "EXAMINE" : "SELECT") < 0)
		return p.rc;
	correu__imapc_p_mbox(&p, mailbox, len);
	if (uidvalidity) {
		correu__imapc_p_text(&p, " (QRESYNC (");
		correu__imapc_p_num(&p, uidvalidity);
		correu__imapc_p_text(&p, " ");
		correu__imapc_p_num(&p, modseq);
		if (known_uids && known_len)
			correu__imapc_p_rawn(&p, known_uids, known_len);
		correu__imapc_p_text(&p, "))");
	} else if (flags & CORREU_IMAP_SELECT_CONDSTORE)
		correu__imapc_p_text(&p, " (CONDSTORE)");
	return correu__imapc_p_finish(&p);
}

static const struct {
	uint32_t bit;
	const char *name;
} status_names[] = {
	{ CORREU_IMAP_STATUS_MESSAGES, "MESSAGES" },
	{ CORREU_IMAP_STATUS_UIDNEXT, "UIDNEXT" },
	{ CORREU_IMAP_STATUS_UIDVALIDITY, "UIDVALIDITY" },
	{ CORREU_IMAP_STATUS_UNSEEN, "UNSEEN" },
	{ CORREU_IMAP_STATUS_DELETED, "DELETED" },
	{ CORREU_IMAP_STATUS_SIZE, "SIZE" },
	{ CORREU_IMAP_STATUS_HIGHESTMODSEQ, "HIGHESTMODSEQ" },
	{ CORREU_IMAP_STATUS_RECENT, "RECENT" },
};

static int put_status_items(struct correu__imapc_put *p, uint32_t items)
{
	uint32_t all = 0;

	for (size_t i = 0; i < CORREU__ARRAY_LEN(status_names); i++)
		all |= status_names[i].bit;
	if (!items || (items & ~all))
		return p->rc = CORREU_ERR_ARG;
	correu__imapc_p_text(p, "(");
	for (size_t i = 0; i < CORREU__ARRAY_LEN(status_names); i++)
		if (items & status_names[i].bit)
			correu__imapc_p_raw(p, status_names[i].name);
	correu__imapc_p_text(p, ")");
	return p->rc;
}

int correu_imap_client_status(correu_imap_client *c, const char *mailbox, size_t len,
                              uint32_t items)
{
	struct correu__imapc_put p;

	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_STATUS, "STATUS") < 0)
		return p.rc;
	correu__imapc_p_mbox(&p, mailbox, len);
	correu__imapc_p_text(&p, " ");
	put_status_items(&p, items);
	return correu__imapc_p_finish(&p);
}

/* RFC 5258 §3: selection options after the command name, return options
 * after the patterns. */
static void list_options(struct correu__imapc_put *p, uint32_t flags, uint32_t status_items)
{
	const uint32_t ret = CORREU_IMAP_LIST_RETURN_SPECIAL_USE |
	                     CORREU_IMAP_LIST_RETURN_CHILDREN | CORREU_IMAP_LIST_RETURN_SUBSCRIBED;

	if (!(flags & ret) && !status_items)
		return;
	correu__imapc_p_text(p, " RETURN (");
	if (flags & CORREU_IMAP_LIST_RETURN_SUBSCRIBED)
		correu__imapc_p_raw(p, "SUBSCRIBED");
	if (flags & CORREU_IMAP_LIST_RETURN_CHILDREN)
		correu__imapc_p_raw(p, "CHILDREN");
	if (flags & CORREU_IMAP_LIST_RETURN_SPECIAL_USE)
		correu__imapc_p_raw(p, "SPECIAL-USE");
	if (status_items) {
		correu__imapc_p_raw(p, "STATUS ");
		put_status_items(p, status_items);
	}
	correu__imapc_p_text(p, ")");
}

int correu_imap_client_list(correu_imap_client *c, const char *ref, size_t ref_len,
                            const char *pattern, size_t pattern_len, uint32_t flags,
                            uint32_t status_items)
{
	const uint32_t all = CORREU_IMAP_LIST_SUBSCRIBED | CORREU_IMAP_LIST_SPECIAL_USE |
	                     CORREU_IMAP_LIST_RETURN_SPECIAL_USE |
	                     CORREU_IMAP_LIST_RETURN_CHILDREN | CORREU_IMAP_LIST_RETURN_SUBSCRIBED;
	const uint32_t sel = CORREU_IMAP_LIST_SUBSCRIBED | CORREU_IMAP_LIST_SPECIAL_USE;
	bool rev2;
	struct correu__imapc_put p;

	if (!c || (flags & ~all) || !pattern || pattern_len == 0 || (ref_len && !ref))
		return CORREU_ERR_ARG;
	rev2 = c->caps.mask & CORREU_IMAP_CAP_IMAP4REV2;
	if ((flags & (sel | CORREU_IMAP_LIST_RETURN_SUBSCRIBED)) && !rev2 &&
	    correu__imapc_need(c, CORREU_IMAP_CAP_LIST_EXTENDED) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if ((flags & (CORREU_IMAP_LIST_SPECIAL_USE | CORREU_IMAP_LIST_RETURN_SPECIAL_USE)) &&
	    !rev2 && correu__imapc_need(c, CORREU_IMAP_CAP_SPECIAL_USE) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (status_items && !rev2 && correu__imapc_need(c, CORREU_IMAP_CAP_LIST_STATUS) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_LIST, "LIST") < 0)
		return p.rc;
	if (flags & sel) {
		correu__imapc_p_text(&p, " (");
		if (flags & CORREU_IMAP_LIST_SUBSCRIBED)
			correu__imapc_p_raw(&p, "SUBSCRIBED");
		if (flags & CORREU_IMAP_LIST_SPECIAL_USE)
			correu__imapc_p_raw(&p, "SPECIAL-USE");
		correu__imapc_p_text(&p, ")");
	}
	/* The reference and pattern are mailbox names too: encoded alike;
	 * an empty reference is "". */
	if (ref_len)
		correu__imapc_p_mbox(&p, ref, ref_len);
	else
		correu__imapc_p_text(&p, " \"\"");
	correu__imapc_p_mbox(&p, pattern, pattern_len);
	list_options(&p, flags, status_items);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_mailbox_cmd(correu_imap_client *c, uint32_t command, const char *mailbox,
                                   size_t len)
{
	const char *name;
	struct correu__imapc_put p;

	switch (command) {
	case CORREU_IMAP_CMD_CREATE: name = "CREATE"; break;
	case CORREU_IMAP_CMD_DELETE: name = "DELETE"; break;
	case CORREU_IMAP_CMD_SUBSCRIBE: name = "SUBSCRIBE"; break;
	case CORREU_IMAP_CMD_UNSUBSCRIBE: name = "UNSUBSCRIBE"; break;
	case CORREU_IMAP_CMD_GETQUOTAROOT:
		if (correu__imapc_need(c, CORREU_IMAP_CAP_QUOTA) < 0)
			return CORREU_ERR_UNSUPPORTED;
		name = "GETQUOTAROOT";
		break;
	default: return CORREU_ERR_ARG;
	}
	if (correu__imapc_p_start(&p, c, command, name) < 0)
		return p.rc;
	correu__imapc_p_mbox(&p, mailbox, len);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_rename(correu_imap_client *c, const char *from, size_t from_len,
                              const char *to, size_t to_len)
{
	struct correu__imapc_put p;

	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_RENAME, "RENAME") < 0)
		return p.rc;
	correu__imapc_p_mbox(&p, from, from_len);
	correu__imapc_p_mbox(&p, to, to_len);
	return correu__imapc_p_finish(&p);
}
