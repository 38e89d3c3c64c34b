/*
 * The IMAP client's command list (IMAP layer). Commands wait in order,
 * move to the output as room allows, and stay listed until their tagged
 * response arrives, so each completion is matched to its command by tag.
 * Several commands may be in flight (RFC 9051 §5.5); the sender stops at a
 * synchronizing literal until the server's "+" (§4.3), pulls streamed
 * literal data only as it goes out, and sends nothing behind a command
 * that changes how the connection is read (STARTTLS, AUTHENTICATE, IDLE,
 * ENABLE) until it completes.
 */
#include <string.h>

#include "client_internal.h"

void correu__imapc_rules_now(const correu_imap_client *c, correu__imapc_rules *r)
{
	uint32_t caps = c->caps.mask;

	memset(r, 0, sizeof(*r));
	r->lit = LIT_SYNC;
	if (!(c->set.flags & CORREU_IMAP_NO_LITERAL_PLUS)) {
		if (caps & CORREU_IMAP_CAP_LITERAL_PLUS)
			r->lit = LIT_PLUS;
		else if (caps & CORREU_IMAP_CAP_LITERAL_MINUS)
			r->lit = LIT_MINUS;
	}
	r->utf8 = (c->enabled & CORREU_IMAP_CAP_UTF8_ACCEPT) != 0;
	r->binary = (caps & CORREU_IMAP_CAP_BINARY) != 0;
	r->max_quoted = c->set.max_quoted;
}

int correu__imapc_can_queue(const correu_imap_client *c)
{
	int rc = correu__imapc_usable(c);

	if (rc < 0)
		return rc;
	if (c->state != CS_READY || c->logout)
		return CORREU_ERR_STATE;
	if (c->ncmds >= c->set.max_commands)
		return CORREU_ERR_LIMIT;
	return 0;
}

int correu__imapc_begin(correu_imap_client *c, uint32_t kind, const char *name,
                        correu__imapc_cmd **out)
{
	int rc;

	*out = NULL;
	if (c->queued >= c->set.max_queue)
		return CORREU_ERR_LIMIT;
	rc = correu__imapc_cmd_new(c->alloc, kind, c->set.max_queue - c->queued, out);
	if (rc == 0)
		rc = correu__imapc_put_str(*out, name);
	if (rc < 0) {
		correu__imapc_cmd_free(c->alloc, *out);
		*out = NULL;
		return rc;
	}
	switch (kind) {
	case CORREU_IMAP_CMD_STARTTLS:
	case CORREU_IMAP_CMD_AUTHENTICATE:
	case CORREU_IMAP_CMD_IDLE:
	case CORREU_IMAP_CMD_ENABLE:
	case CORREU_IMAP_CMD_LOGOUT: (*out)->barrier = true; break;
	default: break;
	}
	return 0;
}

int correu__imapc_enqueue(correu_imap_client *c, correu__imapc_cmd *cmd, bool internal)
{
	int rc = correu__imapc_put_end(cmd);

	if (rc == 0 && c->ncmds >= c->set.max_commands)
		rc = CORREU_ERR_LIMIT;
	/* Tags are given in queue order, so they go out in order, and are
	 * not reused while a command could still be answered. The tag's
	 * bytes count towards max_queue too. */
	correu__imapc_cmd_tag(cmd, c->next_tag);
	if (rc == 0 && (c->queued > c->set.max_queue ||
	                cmd->text.len + cmd->tag_len > c->set.max_queue - c->queued))
		rc = CORREU_ERR_LIMIT;
	if (rc < 0) {
		correu__imapc_cmd_free(c->alloc, cmd);
		return rc;
	}
	if (!internal) {
		cmd->id = c->next_id;
		c->next_id = c->next_id >= (uint32_t)INT32_MAX ? 1 : c->next_id + 1;
	}
	c->next_tag = c->next_tag == UINT32_MAX ? 1 : c->next_tag + 1;
	cmd->left = cmd->text.len + cmd->tag_len;
	c->queued += cmd->left;
	c->ncmds++;
	if (c->tail)
		c->tail->next = cmd;
	else
		c->head = cmd;
	c->tail = cmd;
	if (cmd->kind == CORREU_IMAP_CMD_LOGOUT)
		c->logout = true;
	c->timer.progress = true;
	rc = correu__imapc_pump(c);
	return rc < 0 ? rc : (int)cmd->id;
}

correu__imapc_cmd *correu__imapc_find_tag(correu_imap_client *c, const char *tag, size_t len)
{
	uint64_t n = 0;

	if (len < 2 || len > 11 || tag[0] != 'A' || tag[1] == '0')
		return NULL;
	for (size_t i = 1; i < len; i++) {
		if (tag[i] < '0' || tag[i] > '9')
			return NULL;
		n = n * 10 + (uint64_t)(tag[i] - '0');
	}
	for (correu__imapc_cmd *cmd = c->head; cmd; cmd = cmd->next)
		if (cmd->tag == n && cmd->any_out && !cmd->done)
			return cmd;
	return NULL;
}

correu__imapc_cmd *correu__imapc_oldest(correu_imap_client *c)
{
	for (correu__imapc_cmd *cmd = c->head; cmd; cmd = cmd->next)
		if (cmd->any_out && !cmd->done)
			return cmd;
	return NULL;
}

correu__imapc_cmd *correu__imapc_waiting(correu_imap_client *c)
{
	for (correu__imapc_cmd *cmd = c->head; cmd; cmd = cmd->next)
		if (cmd->waiting)
			return cmd;
	return NULL;
}

static void unlink_cmd(correu_imap_client *c, correu__imapc_cmd *cmd)
{
	correu__imapc_cmd **pp = &c->head, *prev = NULL;

	while (*pp && *pp != cmd) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = cmd->next;
	if (c->tail == cmd)
		c->tail = prev;
	cmd->next = NULL;
	c->queued -= cmd->left;
	cmd->left = 0;
	c->ncmds--;
	cmd->unlinked = true;
}

void correu__imapc_retire(correu_imap_client *c, correu__imapc_cmd *cmd)
{
	cmd->done = true;
	/* A command refused while it waited for "+" sends no more: the
	 * server has already forgotten it (RFC 9051 §7.5). One refused while
	 * a non-synchronizing literal is going out must still send it all,
	 * or the rest would be read as commands. */
	if (cmd->all_out || cmd->waiting) {
		cmd->waiting = false;
		unlink_cmd(c, cmd);
	}
}

void correu__imapc_cmd_free_retired(correu_imap_client *c, correu__imapc_cmd *cmd)
{
	if (cmd && cmd->unlinked)
		correu__imapc_cmd_free(c->alloc, cmd);
}

int correu__imapc_out(correu_imap_client *c, const char *p, size_t len)
{
	c->timer.progress = true;
	return correu__buf_append(&c->out, p, len);
}

static size_t room(const correu_imap_client *c)
{
	return c->out.max - c->out.len;
}

static int stream(correu_imap_client *c, correu__imapc_cmd *cmd, correu__imapc_seg *s)
{
	while (cmd->sent < s->size && room(c) > 0) {
		uint64_t due = s->size - cmd->sent;
		size_t want = due < room(c) ? (size_t)due : room(c);
		correu_ssize n;
		int rc = correu__buf_reserve(&c->out, want);

		if (rc < 0)
			return correu__imapc_fail(c, rc, "out of memory");
		n = s->fn(c->out.data + c->out.len, want, s->ud);
		if (n < 0)
			return correu__imapc_fail(c, (int)n, "the literal's reader failed");
		if (n == 0 || (size_t)n > want)
			return correu__imapc_fail(c, CORREU_ERR_INCOMPLETE,
			                          "the literal's reader gave too few bytes");
		/* RFC 9051 §9: a literal is CHAR8, no NUL; only a literal8
		 * (RFC 3516) may carry one. Checked before the bytes count
		 * as output, so none of them is sent. */
		if (!s->binary && memchr(c->out.data + c->out.len, 0, (size_t)n))
			return correu__imapc_fail(c, CORREU_ERR_ARG,
			                          "NUL in a literal that is not a literal8");
		c->out.len += (size_t)n;
		cmd->sent += (uint64_t)n;
	}
	return cmd->sent < s->size ? 1 : 0;
}

/* Move what can go of one command: 1 when it must stop, 0 when all out. */
static int send_cmd(correu_imap_client *c, correu__imapc_cmd *cmd)
{
	while (cmd->tag_sent < cmd->tag_len) {
		size_t n = (size_t)(cmd->tag_len - cmd->tag_sent);
		int rc;

		if (n > room(c))
			n = room(c);
		if (n == 0)
			return 1;
		rc = correu__buf_append(&c->out, cmd->tagtext + cmd->tag_sent, n);
		if (rc < 0)
			return correu__imapc_fail(c, rc, "out of memory");
		cmd->any_out = true;
		cmd->tag_sent = (uint8_t)(cmd->tag_sent + n);
		cmd->left -= n;
		c->queued -= n;
	}
	while (cmd->seg < cmd->nsegs) {
		correu__imapc_seg *s = &cmd->segs[cmd->seg];
		int rc;

		if (s->kind == SEG_TEXT) {
			size_t n = s->len - (size_t)cmd->sent;

			if (n > room(c))
				n = room(c);
			if (n == 0)
				return 1;
			rc = correu__buf_append(&c->out, cmd->text.data + s->off + cmd->sent, n);
			if (rc < 0)
				return correu__imapc_fail(c, rc, "out of memory");
			cmd->any_out = true;
			cmd->sent += n;
			cmd->left -= n;
			c->queued -= n;
			if (cmd->sent < s->len)
				return 1;
		} else if (s->kind == SEG_SYNC) {
			if (!cmd->cont) {
				cmd->waiting = true;
				return 1;
			}
			cmd->cont = false;
		} else {
			rc = stream(c, cmd, s);
			if (rc != 0)
				return rc;
		}
		cmd->seg++;
		cmd->sent = 0;
	}
	cmd->all_out = true;
	return 0;
}

int correu__imapc_pump(correu_imap_client *c)
{
	correu__imapc_cmd *cmd = c->head;

	if (c->state == CS_FAILED || c->state == CS_CLOSED || c->state == CS_TLS_WAIT)
		return 0;
	while (cmd) {
		correu__imapc_cmd *next = cmd->next;
		int rc;

		if (!cmd->all_out) {
			rc = send_cmd(c, cmd);
			if (rc != 0)
				return rc < 0 ? rc : 0;
			c->timer.progress = true;
			if (cmd->done) {
				/* Completed while it drained: nothing awaits it. */
				unlink_cmd(c, cmd);
				correu__imapc_cmd_free(c->alloc, cmd);
				cmd = next;
				continue;
			}
		}
		if (cmd->barrier && !cmd->done)
			return 0;
		cmd = next;
	}
	return 0;
}
