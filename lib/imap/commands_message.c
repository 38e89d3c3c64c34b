/*
 * The IMAP client's message commands (IMAP layer): SEARCH (its return
 * options through commands_return.c, RFC 4731), SORT and THREAD (RFC
 * 5256), FETCH with CHANGEDSINCE and STORE with UNCHANGEDSINCE (RFC
 * 7162), COPY and MOVE
 * (RFC 6851), EXPUNGE and UID EXPUNGE (RFC 4315), and APPEND streaming its
 * message from a reader. Search keys, sets and item lists are the
 * caller's syntax; strings and mailbox names go through the builder.
 */
#include <string.h>

#include "client_internal.h"

int correu_imap_client_search(correu_imap_client *c, uint32_t flags, const char *charset,
                              const char *criteria, size_t len)
{
	const uint32_t ret = CORREU_IMAP_RETURN_MIN | CORREU_IMAP_RETURN_MAX |
	                     CORREU_IMAP_RETURN_ALL | CORREU_IMAP_RETURN_COUNT;
	struct correu__imapc_put p;

	if (!c || (flags & ~(ret | CORREU_IMAP_UID)) || !criteria || len == 0)
		return CORREU_ERR_ARG;
	/* ESEARCH-style: the same command with a RETURN list. */
	if (flags & ret)
		return correu_imap_client_search_return(c, flags, 0, 0, charset, criteria, len);
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_SEARCH,
	                          correu__imapc_uid_name(flags, "SEARCH", "UID SEARCH")) < 0)
		return p.rc;
	if (charset) {
		correu__imapc_p_text(&p, " CHARSET");
		correu__imapc_p_str(&p, charset, strlen(charset));
	}
	correu__imapc_p_rawn(&p, criteria, len);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_sort(correu_imap_client *c, uint32_t command, uint32_t flags,
                            const char *program, size_t program_len, const char *charset,
                            const char *criteria, size_t criteria_len)
{
	bool sort = command == CORREU_IMAP_CMD_SORT;
	struct correu__imapc_put p;

	if (!c || (command != CORREU_IMAP_CMD_SORT && command != CORREU_IMAP_CMD_THREAD) ||
	    (flags & ~CORREU_IMAP_UID) || !charset || !*charset)
		return CORREU_ERR_ARG;
	if (correu__imapc_need(c, sort ? CORREU_IMAP_CAP_SORT : CORREU_IMAP_CAP_THREAD) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, command,
	                          sort ? correu__imapc_uid_name(flags, "SORT", "UID SORT")
	                               : correu__imapc_uid_name(flags, "THREAD", "UID THREAD")) < 0)
		return p.rc;
	/* RFC 5256 §3: the charset is not optional here. */
	correu__imapc_p_rawn(&p, program, program_len);
	correu__imapc_p_str(&p, charset, strlen(charset));
	correu__imapc_p_rawn(&p, criteria, criteria_len);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_fetch(correu_imap_client *c, uint32_t flags, const char *set,
                             const char *items, uint64_t changedsince)
{
	struct correu__imapc_put p;

	if (!c || (flags & ~CORREU_IMAP_UID) || !correu__imapc_seqset_ok(set) || !items || !*items)
		return CORREU_ERR_ARG;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_FETCH,
	                          correu__imapc_uid_name(flags, "FETCH", "UID FETCH")) < 0)
		return p.rc;
	correu__imapc_p_raw(&p, set);
	correu__imapc_p_raw(&p, items);
	/* RFC 7162 §3.1.4. */
	if (changedsince) {
		correu__imapc_p_text(&p, " (CHANGEDSINCE ");
		correu__imapc_p_num(&p, changedsince);
		correu__imapc_p_text(&p, ")");
	}
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_store(correu_imap_client *c, uint32_t flags, const char *set,
                             const char *action, const char *flag_list, uint64_t unchangedsince)
{
	struct correu__imapc_put p;

	if (!c || (flags & ~CORREU_IMAP_UID) || !correu__imapc_seqset_ok(set) || !action ||
	    !*action || !flag_list || !*flag_list)
		return CORREU_ERR_ARG;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_STORE,
	                          correu__imapc_uid_name(flags, "STORE", "UID STORE")) < 0)
		return p.rc;
	correu__imapc_p_raw(&p, set);
	/* RFC 7162 §3.1.3: the modifier comes before the action. */
	if (unchangedsince) {
		correu__imapc_p_text(&p, " (UNCHANGEDSINCE ");
		correu__imapc_p_num(&p, unchangedsince);
		correu__imapc_p_text(&p, ")");
	}
	correu__imapc_p_raw(&p, action);
	correu__imapc_p_raw(&p, flag_list);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_copy(correu_imap_client *c, uint32_t command, uint32_t flags,
                            const char *set, const char *mailbox, size_t len)
{
	bool move = command == CORREU_IMAP_CMD_MOVE;
	struct correu__imapc_put p;

	if (!c || (command != CORREU_IMAP_CMD_COPY && !move) || (flags & ~CORREU_IMAP_UID) ||
	    !correu__imapc_seqset_ok(set))
		return CORREU_ERR_ARG;
	if (move && correu__imapc_need(c, CORREU_IMAP_CAP_MOVE | CORREU_IMAP_CAP_IMAP4REV2) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, command,
	                          move ? correu__imapc_uid_name(flags, "MOVE", "UID MOVE")
	                               : correu__imapc_uid_name(flags, "COPY", "UID COPY")) < 0)
		return p.rc;
	correu__imapc_p_raw(&p, set);
	correu__imapc_p_mbox(&p, mailbox, len);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_expunge(correu_imap_client *c, const char *uid_set)
{
	struct correu__imapc_put p;

	if (uid_set && !correu__imapc_seqset_ok(uid_set))
		return CORREU_ERR_ARG;
	if (uid_set &&
	    correu__imapc_need(c, CORREU_IMAP_CAP_UIDPLUS | CORREU_IMAP_CAP_IMAP4REV2) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_EXPUNGE,
	                          uid_set ? "UID EXPUNGE" : "EXPUNGE") < 0)
		return p.rc;
	if (uid_set)
		correu__imapc_p_raw(&p, uid_set);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_append(correu_imap_client *c, const char *mailbox, size_t len,
                              const char *flag_list, const char *date, uint64_t size,
                              uint32_t literal_flags, correu_imap_reader_fn fn, void *userdata)
{
	struct correu__imapc_put p;

	if (!c || !fn || (literal_flags & ~CORREU_IMAP_LITERAL_BINARY))
		return CORREU_ERR_ARG;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_APPEND, "APPEND") < 0)
		return p.rc;
	correu__imapc_p_mbox(&p, mailbox, len);
	if (flag_list)
		correu__imapc_p_raw(&p, flag_list);
	if (date) {
		correu__imapc_p_text(&p, " ");
		correu__imapc_p_str(&p, date, strlen(date));
	}
	if (p.rc == 0)
		p.rc = correu__imapc_put_stream(p.cmd, &p.r, size,
		                                literal_flags & CORREU_IMAP_LITERAL_BINARY, fn,
		                                userdata);
	return correu__imapc_p_finish(&p);
}
