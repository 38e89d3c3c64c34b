/*
 * The IMAP client's typed commands, common part (IMAP layer): the small
 * toolkit every typed command is put together with (checks of the state
 * and capabilities, then the builder: strings and mailbox names take the
 * form their bytes need, sets and item lists are caller syntax checked for
 * CR, LF and NUL), and the commands without arguments of their own:
 * CAPABILITY, NOOP, LOGOUT, ENABLE (RFC 5161), NAMESPACE, UNSELECT, CLOSE,
 * ID and GETQUOTA. Mailbox commands are in commands_mailbox.c, message
 * commands in commands_message.c.
 */
#include <string.h>

#include "client_internal.h"

int correu__imapc_p_start(struct correu__imapc_put *p, correu_imap_client *c, uint32_t kind,
                          const char *name)
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

void correu__imapc_p_text(struct correu__imapc_put *p, const char *s)
{
	if (p->rc == 0)
		p->rc = correu__imapc_put_str(p->cmd, s);
}

void correu__imapc_p_raw(struct correu__imapc_put *p, const char *s)
{
	if (p->rc == 0 && !s)
		p->rc = CORREU_ERR_ARG;
	if (p->rc == 0)
		p->rc = correu__imapc_put_sp(p->cmd);
	if (p->rc == 0)
		p->rc = correu__imapc_put_raw(p->cmd, s, strlen(s));
}

void correu__imapc_p_rawn(struct correu__imapc_put *p, const char *s, size_t len)
{
	if (p->rc == 0 && len == 0)
		p->rc = CORREU_ERR_ARG;
	if (p->rc == 0)
		p->rc = correu__imapc_put_sp(p->cmd);
	if (p->rc == 0)
		p->rc = correu__imapc_put_raw(p->cmd, s, len);
}

void correu__imapc_p_num(struct correu__imapc_put *p, uint64_t v)
{
	if (p->rc == 0)
		p->rc = correu__imapc_put_u64(p->cmd, v);
}

void correu__imapc_p_str(struct correu__imapc_put *p, const char *s, size_t len)
{
	if (p->rc == 0)
		p->rc = correu__imapc_put_string(p->cmd, &p->r, s, len);
}

void correu__imapc_p_qstr(struct correu__imapc_put *p, const char *s, size_t len)
{
	if (p->rc == 0)
		p->rc = correu__imapc_put_qstring(p->cmd, &p->r, s, len);
}

void correu__imapc_p_mbox(struct correu__imapc_put *p, const char *s, size_t len)
{
	if (p->rc == 0)
		p->rc = correu__imapc_put_mailbox(p->cmd, &p->r, s, len);
}

int correu__imapc_p_finish(struct correu__imapc_put *p)
{
	if (p->rc < 0) {
		if (p->cmd)
			correu__imapc_cmd_free(p->c->alloc, p->cmd);
		return p->rc;
	}
	return correu__imapc_enqueue(p->c, p->cmd, false);
}

int correu__imapc_need(const correu_imap_client *c, uint32_t caps)
{
	return c && !(c->caps.mask & caps) ? CORREU_ERR_UNSUPPORTED : 0;
}

/* Sequence sets are checked to be what RFC 9051 §9 sequence-set allows. */
bool correu__imapc_seqset_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == ':' || *s == ',' || *s == '*' || *s == '$'))
			return false;
	return true;
}

const char *correu__imapc_uid_name(uint32_t flags, const char *plain, const char *uid)
{
	return (flags & CORREU_IMAP_UID) ? uid : plain;
}

int correu_imap_client_capability(correu_imap_client *c)
{
	struct correu__imapc_put p;

	correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_CAPABILITY, "CAPABILITY");
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_noop(correu_imap_client *c)
{
	struct correu__imapc_put p;

	correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_NOOP, "NOOP");
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_logout(correu_imap_client *c)
{
	struct correu__imapc_put p;

	correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_LOGOUT, "LOGOUT");
	return correu__imapc_p_finish(&p);
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
	struct correu__imapc_put p;

	for (size_t i = 0; i < CORREU__ARRAY_LEN(ext); i++)
		all |= ext[i].bit;
	if (!c || !want || (want & ~all))
		return CORREU_ERR_ARG;
	if (correu__imapc_need(c, CORREU_IMAP_CAP_ENABLE) < 0)
		return CORREU_ERR_UNSUPPORTED;
	use = want & c->caps.mask & ~c->enabled;
	if (!use)
		return CORREU_ERR_NOT_FOUND;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_ENABLE, "ENABLE") < 0)
		return p.rc;
	for (size_t i = 0; i < CORREU__ARRAY_LEN(ext); i++)
		if (use & ext[i].bit)
			correu__imapc_p_text(&p, ext[i].name);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_simple(correu_imap_client *c, uint32_t command)
{
	const char *name;
	uint32_t cap = 0;
	struct correu__imapc_put p;

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
	if (cap && correu__imapc_need(c, cap) < 0)
		return CORREU_ERR_UNSUPPORTED;
	correu__imapc_p_start(&p, c, command, name);
	return correu__imapc_p_finish(&p);
}

int correu_imap_client_getquota(correu_imap_client *c, const char *root, size_t len)
{
	struct correu__imapc_put p;

	if (correu__imapc_need(c, CORREU_IMAP_CAP_QUOTA) < 0)
		return CORREU_ERR_UNSUPPORTED;
	if (correu__imapc_p_start(&p, c, CORREU_IMAP_CMD_GETQUOTA, "GETQUOTA") < 0)
		return p.rc;
	correu__imapc_p_str(&p, root, len);
	return correu__imapc_p_finish(&p);
}
