/*
 * Building any command through the public API (IMAP layer): begin, add
 * arguments, end; and raw commands written out in full. Both go through
 * the same builder as the typed commands, so quoting, literals and the
 * refusal of CR, LF and NUL are the same everywhere.
 */
#include <string.h>

#include "client_internal.h"

/* Command names: printable ASCII words (RFC 9051 §9 atom, and spaces for
 * "UID FETCH"). */
static bool name_ok(const char *name, size_t len)
{
	if (!name || len == 0 || name[0] == ' ')
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] != ' ' && !correu__imapc_astring_char((uint8_t)name[i]))
			return false;
	return true;
}

int correu_imap_client_begin(correu_imap_client *c, const char *name, size_t len)
{
	correu__imapc_cmd *cmd;
	int rc;

	if (!c)
		return CORREU_ERR_ARG;
	rc = correu__imapc_can_queue(c);
	if (rc < 0)
		return rc;
	if (c->building)
		return CORREU_ERR_STATE;
	if (!name_ok(name, len))
		return CORREU_ERR_ARG;
	rc = correu__imapc_begin(c, CORREU_IMAP_CMD_OTHER, "", &cmd);
	if (rc == 0)
		rc = correu__imapc_put(cmd, name, len);
	if (rc < 0) {
		correu__imapc_cmd_free(c->alloc, cmd);
		return rc;
	}
	c->building = cmd;
	return 0;
}

static int building(correu_imap_client *c)
{
	if (!c)
		return CORREU_ERR_ARG;
	return c->building ? 0 : CORREU_ERR_STATE;
}

int correu_imap_client_add_raw(correu_imap_client *c, const char *text, size_t len)
{
	int rc = building(c);

	return rc < 0 ? rc : correu__imapc_put_raw(c->building, text, len);
}

int correu_imap_client_add_string(correu_imap_client *c, const char *s, size_t len)
{
	correu__imapc_rules r;
	int rc = building(c);

	if (rc < 0)
		return rc;
	correu__imapc_rules_now(c, &r);
	return correu__imapc_put_string(c->building, &r, s, len);
}

int correu_imap_client_add_mailbox(correu_imap_client *c, const char *name, size_t len)
{
	correu__imapc_rules r;
	int rc = building(c);

	if (rc < 0)
		return rc;
	correu__imapc_rules_now(c, &r);
	return correu__imapc_put_mailbox(c->building, &r, name, len);
}

int correu_imap_client_add_literal(correu_imap_client *c, uint64_t size, uint32_t flags,
                                   correu_imap_reader_fn fn, void *userdata)
{
	correu__imapc_rules r;
	int rc = building(c);

	if (rc < 0)
		return rc;
	if (flags & ~CORREU_IMAP_LITERAL_BINARY)
		return CORREU_ERR_ARG;
	correu__imapc_rules_now(c, &r);
	return correu__imapc_put_stream(c->building, &r, size, flags & CORREU_IMAP_LITERAL_BINARY,
	                                fn, userdata);
}

int correu_imap_client_end(correu_imap_client *c)
{
	correu__imapc_cmd *cmd;
	int rc = building(c);

	if (rc < 0)
		return rc;
	rc = correu__imapc_can_queue(c);
	if (rc < 0)
		return rc;
	cmd = c->building;
	c->building = NULL;
	return correu__imapc_enqueue(c, cmd, false);
}

void correu_imap_client_cancel(correu_imap_client *c)
{
	if (!c)
		return;
	correu__imapc_cmd_free(c->alloc, c->building);
	c->building = NULL;
}

int correu_imap_client_raw(correu_imap_client *c, const char *text, size_t len)
{
	correu__imapc_rules r;
	correu__imapc_cmd *cmd;
	int rc;

	if (!c || !text || len == 0)
		return CORREU_ERR_ARG;
	rc = correu__imapc_can_queue(c);
	if (rc < 0)
		return rc;
	correu__imapc_rules_now(c, &r);
	rc = correu__imapc_begin(c, CORREU_IMAP_CMD_OTHER, "", &cmd);
	if (rc < 0)
		return rc;
	rc = correu__imapc_put_rawcmd(cmd, &r, text, len);
	if (rc < 0) {
		correu__imapc_cmd_free(c->alloc, cmd);
		return rc;
	}
	return correu__imapc_enqueue(c, cmd, false);
}
