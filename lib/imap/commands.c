/*
 * The IMAP client's typed commands (IMAP layer): each call checks what it
 * needs from the server's capabilities, builds the command's syntax from
 * RFC 9051 §6 and its extensions with the builder, and queues it. Strings
 * and mailbox names go through the builder, which picks their form; sets,
 * item lists and search keys are caller syntax, checked for CR, LF and NUL.
 */
#include <string.h>

#include "client_internal.h"

/* A command being put together: the client, its rules and the command. */
struct put {
	correu_imap_client *c;
	correu__imapc_rules r;
	correu__imapc_cmd *cmd;
	int rc;
};

static int start(struct put *p, correu_imap_client *c, uint32_t kind, const char *name)
{
	p->c = c;
	p->cmd = NULL;
	if (!c)
		return p->rc = CORREU_ERR_ARG;
	p->rc = correu__imapc_can_queue(c);
	if (p->rc < 0)
		return p->rc;
	correu__imapc_rules_now(c, &p->r);
	return p->rc = correu__imapc_begin(c, kind, name, &p->cmd);
}

static void text(struct put *p, const char *s)
{
	if (p->rc == 0)
		p->rc = correu__imapc_put_str(p->cmd, s);
}

static void raw(struct put *p, const char *s)
{
	if (p->rc == 0 && !s)
		p->rc = CORREU_ERR_ARG;
	if (p->rc == 0)
		p->rc = correu__imapc_put_sp(p->cmd);
	if (p->rc == 0)
		p->rc = correu__imapc_put_raw(p->cmd, s, strlen(s));
}

static void rawn(struct put *p, const char *s, size_t len)
{
	if (p->rc == 0 && len == 0)
		p->rc = CORREU_ERR_ARG;
	if (p->rc == 0)
		p->rc = correu__imapc_put_sp(p->cmd);
	if (p->rc == 0)
		p->rc = correu__imapc_put_raw(p->cmd, s, len);
}

static void num(struct put *p, uint64_t v)
{
	if (p->rc == 0)
		p->rc = correu__imapc_put_u64(p->cmd, v);
}

static void str(struct put *p, const char *s, size_t len)
{
	if (p->rc == 0)
		p->rc = correu__imapc_put_string(p->cmd, &p->r, s, len);
}

static void mbox(struct put *p, const char *s, size_t len)
{
	if (p->rc == 0)
		p->rc = correu__imapc_put_mailbox(p->cmd, &p->r, s, len);
}

static int finish(struct put *p)
{
	if (p->rc < 0) {
		if (p->cmd)
			correu__imapc_cmd_free(p->c->alloc, p->cmd);
		return p->rc;
	}
	return correu__imapc_enqueue(p->c, p->cmd, false);
}

static int need(const correu_imap_client *c, uint32_t caps)
{
	return c && !(c->caps.mask & caps) ? CORREU_ERR_UNSUPPORTED : 0;
}

/* Sequence sets are checked to be what RFC 9051 §9 sequence-set allows. */
static bool seqset_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == ':' || *s == ',' || *s == '*' || *s == '$'))
			return false;
	return true;
}

static const char *uid_name(uint32_t flags, const char *plain, const char *uid)
{
	return (flags & CORREU_IMAP_UID) ? uid : plain;
}

int correu_imap_client_capability(correu_imap_client *c)
{
	struct put p;

	start(&p, c, CORREU_IMAP_CMD_CAPABILITY, "CAPABILITY");
	return finish(&p);
}

int correu_imap_client_noop(correu_imap_client *c)
{
	struct put p;

	start(&p, c, CORREU_IMAP_CMD_NOOP, "NOOP");
	return finish(&p);
}

int correu_imap_client_logout(correu_imap_client *c)
{
	struct put p;

	start(&p, c, CORREU_IMAP_CMD_LOGOUT, "LOGOUT");
	return finish(&p);
}

int correu_imap_client_enable(correu_imap_client *c, uint32_t want)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} ext[] = { { CORREU_IMAP_CAP_IMAP4REV2, " IMAP4rev2" },
		    { CORREU_IMAP_CAP_CONDSTORE, " CONDSTORE" },
		    { CORREU_IMAP_CAP_QRESYNC, " QRESYNC" },
		    { CORREU_IMAP_CAP_UTF8_ACCEPT, " UTF8=ACCEPT" } };
	uint32_t all = 0, use;
	struct put p;

	for (size_t i = 0; i < CORREU__ARRAY_LEN(ext); i++)
		all |= ext[i].bit;
	if (!c || !want || (want & ~all))
		return CORREU_ERR_ARG;
	if (need(c, CORREU_IMAP_CAP_ENABLE) < 0)
		return CORREU_ERR_UNSUPPORTED;
	use = want & c->caps.mask & ~c->enabled;
	if (!use)
		return CORREU_ERR_NOT_FOUND;
	if (start(&p, c, CORREU_IMAP_CMD_ENABLE, "ENABLE") < 0)
		return p.rc;
	for (size_t i = 0; i < CORREU__ARRAY_LEN(ext); i++)
		if (use & ext[i].bit)
			text(&p, ext[i].name);
	return finish(&p);
}

int correu_imap_client_select(correu_imap_client *c, const char *mailbox, size_t len,
                              uint32_t flags, uint32_t uidvalidity, uint64_t modseq,
                              const char *known_uids, size_t known_len)
{
	bool ro = flags & CORREU_IMAP_SELECT_READ_ONLY;
	struct put p;

	if (!c || (flags & ~(CORREU_IMAP_SELECT_READ_ONLY | CORREU_IMAP_SELECT_CONDSTORE)))
		return CORREU_ERR_ARG;
	if ((flags & CORREU_IMAP_SELECT_CONDSTORE) && need(c, CORREU_IMAP_CAP_CONDSTORE) < 0)
		return CORREU_ERR_UNSUPPORTED;
	/* RFC 7162 §3.2.5: QRESYNC parameters only once it is enabled. */
	if (uidvalidity && !(c->enabled & CORREU_IMAP_CAP_QRESYNC))
		return CORREU_ERR_UNSUPPORTED;
	if (start(&p, c, ro ? CORREU_IMAP_CMD_EXAMINE : CORREU_IMAP_CMD_SELECT,
	          ro ? "EXAMINE" : "SELECT") < 0)
		return p.rc;
	mbox(&p, mailbox, len);
	if (uidvalidity) {
		text(&p, " (QRESYNC (");
		num(&p, uidvalidity);
		text(&p, " ");
		num(&p, modseq);
		if (known_uids && known_len)
			rawn(&p, known_uids, known_len);
		text(&p, "))");
	} else if (flags & CORREU_IMAP_SELECT_CONDSTORE)
		text(&p, " (CONDSTORE)");
	return finish(&p);
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

static int put_status_items(struct put *p, uint32_t items)
{
	uint32_t all = 0;

	for (size_t i = 0; i < CORREU__ARRAY_LEN(status_names); i++)
		all |= status_names[i].bit;
	if (!items || (items & ~all))
		return p->rc = CORREU_ERR_ARG;
	text(p, "(");
	for (size_t i = 0; i < CORREU__ARRAY_LEN(status_names); i++)
		if (items & status_names[i].bit)
			raw(p, status_names[i].name);
	text(p, ")");
	return p->rc;
}

int correu_imap_client_status(correu_imap_client *c, const char *mailbox, size_t len,
                              uint32_t items)
{
	struct put p;

	if (start(&p, c, CORREU_IMAP_CMD_STATUS, "STATUS") < 0)
		return p.rc;
	mbox(&p, mailbox, len);
	text(&p, " ");
	put_status_items(&p, items);
	return finish(&p);
}

/* RFC 5258 §3: selection options after the command name, return options
 * after the patterns. */
static void list_options(struct put *p, uint32_t flags, uint32_t status_items)
{
	const uint32_t ret = CORREU_IMAP_LIST_RETURN_SPECIAL_USE |
	                     CORREU_IMAP_LIST_RETURN_CHILDREN | CORREU_IMAP_LIST_RETURN_SUBSCRIBED;

	if (!(flags & ret) && !status_items)
		return;
	text(p, " RETURN (");
	if (flags & CORREU_IMAP_LIST_RETURN_SUBSCRIBED)
		raw(p, "SUBSCRIBED");
	if (flags & CORREU_IMAP_LIST_RETURN_CHILDREN)
		raw(p, "CHILDREN");
	if (flags & CORREU_IMAP_LIST_RETURN_SPECIAL_USE)
		raw(p, "SPECIAL-USE");
	if (status_items) {
		raw(p, "STATUS ");
		put_status_items(p, status_items);
	}
	text(p, ")");
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
	struct put p;

	if (!c || (flags & ~all) || !pattern || pattern_len == 0 || (ref_len && !ref))
		return CORREU_ERR_ARG;
	rev2 = c->caps.mask & CORREU_IMAP_CAP_IMAP4REV2;
	if ((flags & (sel | CORREU_IMAP_LIST_RETURN_SUBSCRIBED)) && !rev2 &&
	    need(c, CORREU_IMAP_CAP_LIST_EXTENDED) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if ((flags & (CORREU_IMAP_LIST_SPECIAL_USE | CORREU_IMAP_LIST_RETURN_SPECIAL_USE)) &&
	    !rev2 && need(c, CORREU_IMAP_CAP_SPECIAL_USE) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (status_items && !rev2 && need(c, CORREU_IMAP_CAP_LIST_STATUS) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (start(&p, c, CORREU_IMAP_CMD_LIST, "LIST") < 0)
		return p.rc;
	if (flags & sel) {
		text(&p, " (");
		if (flags & CORREU_IMAP_LIST_SUBSCRIBED)
			raw(&p, "SUBSCRIBED");
		if (flags & CORREU_IMAP_LIST_SPECIAL_USE)
			raw(&p, "SPECIAL-USE");
		text(&p, ")");
	}
	/* The reference and pattern are mailbox names too: encoded alike;
	 * an empty reference is "". */
	if (ref_len)
		mbox(&p, ref, ref_len);
	else
		text(&p, " \"\"");
	mbox(&p, pattern, pattern_len);
	list_options(&p, flags, status_items);
	return finish(&p);
}

int correu_imap_client_mailbox_cmd(correu_imap_client *c, uint32_t command, const char *mailbox,
                                   size_t len)
{
	const char *name;
	struct put p;

	switch (command) {
	case CORREU_IMAP_CMD_CREATE: name = "CREATE"; break;
	case CORREU_IMAP_CMD_DELETE: name = "DELETE"; break;
	case CORREU_IMAP_CMD_SUBSCRIBE: name = "SUBSCRIBE"; break;
	case CORREU_IMAP_CMD_UNSUBSCRIBE: name = "UNSUBSCRIBE"; break;
	case CORREU_IMAP_CMD_GETQUOTAROOT:
		if (need(c, CORREU_IMAP_CAP_QUOTA) < 0)
			return CORREU_ERR_UNSUPPORTED;
		name = "GETQUOTAROOT";
		break;
	default: return CORREU_ERR_ARG;
	}
	if (start(&p, c, command, name) < 0)
		return p.rc;
	mbox(&p, mailbox, len);
	return finish(&p);
}

int correu_imap_client_rename(correu_imap_client *c, const char *from, size_t from_len,
                              const char *to, size_t to_len)
{
	struct put p;

	if (start(&p, c, CORREU_IMAP_CMD_RENAME, "RENAME") < 0)
		return p.rc;
	mbox(&p, from, from_len);
	mbox(&p, to, to_len);
	return finish(&p);
}

int correu_imap_client_search(correu_imap_client *c, uint32_t flags, const char *charset,
                              const char *criteria, size_t len)
{
	const uint32_t ret = CORREU_IMAP_RETURN_MIN | CORREU_IMAP_RETURN_MAX |
	                     CORREU_IMAP_RETURN_ALL | CORREU_IMAP_RETURN_COUNT;
	struct put p;

	if (!c || (flags & ~(ret | CORREU_IMAP_UID)) || !criteria || len == 0)
		return CORREU_ERR_ARG;
	if ((flags & ret) && need(c, CORREU_IMAP_CAP_ESEARCH | CORREU_IMAP_CAP_IMAP4REV2) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (start(&p, c, CORREU_IMAP_CMD_SEARCH, uid_name(flags, "SEARCH", "UID SEARCH")) < 0)
		return p.rc;
	/* RFC 4731 §3.1: RETURN (...) comes first. */
	if (flags & ret) {
		text(&p, " RETURN (");
		if (flags & CORREU_IMAP_RETURN_MIN)
			raw(&p, "MIN");
		if (flags & CORREU_IMAP_RETURN_MAX)
			raw(&p, "MAX");
		if (flags & CORREU_IMAP_RETURN_ALL)
			raw(&p, "ALL");
		if (flags & CORREU_IMAP_RETURN_COUNT)
			raw(&p, "COUNT");
		text(&p, ")");
	}
	if (charset) {
		text(&p, " CHARSET");
		str(&p, charset, strlen(charset));
	}
	rawn(&p, criteria, len);
	return finish(&p);
}

int correu_imap_client_sort(correu_imap_client *c, uint32_t command, uint32_t flags,
                            const char *program, size_t program_len, const char *charset,
                            const char *criteria, size_t criteria_len)
{
	bool sort = command == CORREU_IMAP_CMD_SORT;
	struct put p;

	if (!c || (command != CORREU_IMAP_CMD_SORT && command != CORREU_IMAP_CMD_THREAD) ||
	    (flags & ~CORREU_IMAP_UID) || !charset || !*charset)
		return CORREU_ERR_ARG;
	if (need(c, sort ? CORREU_IMAP_CAP_SORT : CORREU_IMAP_CAP_THREAD) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (start(&p, c, command,
	          sort ? uid_name(flags, "SORT", "UID SORT")
	               : uid_name(flags, "THREAD", "UID THREAD")) < 0)
		return p.rc;
	/* RFC 5256 §3: the charset is not optional here. */
	rawn(&p, program, program_len);
	str(&p, charset, strlen(charset));
	rawn(&p, criteria, criteria_len);
	return finish(&p);
}

int correu_imap_client_fetch(correu_imap_client *c, uint32_t flags, const char *set,
                             const char *items, uint64_t changedsince)
{
	struct put p;

	if (!c || (flags & ~CORREU_IMAP_UID) || !seqset_ok(set) || !items || !*items)
		return CORREU_ERR_ARG;
	if (start(&p, c, CORREU_IMAP_CMD_FETCH, uid_name(flags, "FETCH", "UID FETCH")) < 0)
		return p.rc;
	raw(&p, set);
	raw(&p, items);
	/* RFC 7162 §3.1.4. */
	if (changedsince) {
		text(&p, " (CHANGEDSINCE ");
		num(&p, changedsince);
		text(&p, ")");
	}
	return finish(&p);
}

int correu_imap_client_store(correu_imap_client *c, uint32_t flags, const char *set,
                             const char *action, const char *flag_list, uint64_t unchangedsince)
{
	struct put p;

	if (!c || (flags & ~CORREU_IMAP_UID) || !seqset_ok(set) || !action || !*action ||
	    !flag_list || !*flag_list)
		return CORREU_ERR_ARG;
	if (start(&p, c, CORREU_IMAP_CMD_STORE, uid_name(flags, "STORE", "UID STORE")) < 0)
		return p.rc;
	raw(&p, set);
	/* RFC 7162 §3.1.3: the modifier comes before the action. */
	if (unchangedsince) {
		text(&p, " (UNCHANGEDSINCE ");
		num(&p, unchangedsince);
		text(&p, ")");
	}
	raw(&p, action);
	raw(&p, flag_list);
	return finish(&p);
}

int correu_imap_client_copy(correu_imap_client *c, uint32_t command, uint32_t flags,
                            const char *set, const char *mailbox, size_t len)
{
	bool move = command == CORREU_IMAP_CMD_MOVE;
	struct put p;

	if (!c || (command != CORREU_IMAP_CMD_COPY && !move) || (flags & ~CORREU_IMAP_UID) ||
	    !seqset_ok(set))
		return CORREU_ERR_ARG;
	if (move && need(c, CORREU_IMAP_CAP_MOVE | CORREU_IMAP_CAP_IMAP4REV2) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (start(&p, c, command,
	          move ? uid_name(flags, "MOVE", "UID MOVE")
	               : uid_name(flags, "COPY", "UID COPY")) < 0)
		return p.rc;
	raw(&p, set);
	mbox(&p, mailbox, len);
	return finish(&p);
}

int correu_imap_client_expunge(correu_imap_client *c, const char *uid_set)
{
	struct put p;

	if (uid_set && !seqset_ok(uid_set))
		return CORREU_ERR_ARG;
	if (uid_set && need(c, CORREU_IMAP_CAP_UIDPLUS | CORREU_IMAP_CAP_IMAP4REV2) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (start(&p, c, CORREU_IMAP_CMD_EXPUNGE, uid_set ? "UID EXPUNGE" : "EXPUNGE") < 0)
		return p.rc;
	if (uid_set)
		raw(&p, uid_set);
	return finish(&p);
}

int correu_imap_client_append(correu_imap_client *c, const char *mailbox, size_t len,
                              const char *flag_list, const char *date, uint64_t size,
                              uint32_t literal_flags, correu_imap_reader_fn fn, void *userdata)
{
	struct put p;

	if (!c || !fn || (literal_flags & ~CORREU_IMAP_LITERAL_BINARY))
		return CORREU_ERR_ARG;
	if (start(&p, c, CORREU_IMAP_CMD_APPEND, "APPEND") < 0)
		return p.rc;
	mbox(&p, mailbox, len);
	if (flag_list)
		raw(&p, flag_list);
	if (date) {
		text(&p, " ");
		str(&p, date, strlen(date));
	}
	if (p.rc == 0)
		p.rc = correu__imapc_put_stream(p.cmd, &p.r, size,
		                                literal_flags & CORREU_IMAP_LITERAL_BINARY, fn,
		                                userdata);
	return finish(&p);
}

int correu_imap_client_simple(correu_imap_client *c, uint32_t command)
{
	const char *name;
	uint32_t cap = 0;
	struct put p;

	switch (command) {
	case CORREU_IMAP_CMD_NAMESPACE:
		name = "NAMESPACE";
		cap = CORREU_IMAP_CAP_NAMESPACE | CORREU_IMAP_CAP_IMAP4REV2;
		break;
	case CORREU_IMAP_CMD_UNSELECT:
		name = "UNSELECT";
		cap = CORREU_IMAP_CAP_UNSELECT | CORREU_IMAP_CAP_IMAP4REV2;
		break;
	case CORREU_IMAP_CMD_CLOSE: name = "CLOSE"; break;
	case CORREU_IMAP_CMD_ID:
		name = "ID NIL";
		cap = CORREU_IMAP_CAP_ID;
		break;
	default: return CORREU_ERR_ARG;
	}
	if (cap && need(c, cap) < 0)
		return CORREU_ERR_UNSUPPORTED;
	start(&p, c, command, name);
	return finish(&p);
}

int correu_imap_client_getquota(correu_imap_client *c, const char *root, size_t len)
{
	struct put p;

	if (need(c, CORREU_IMAP_CAP_QUOTA) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (start(&p, c, CORREU_IMAP_CMD_GETQUOTA, "GETQUOTA") < 0)
		return p.rc;
	str(&p, root, len);
	return finish(&p);
}
