/*
 * The blocking IMAP session's jobs (IMAP layer, driver): one call per
 * common task, each a command queued on the core and waited for, with
 * its answer handed to the caller's consumer as it arrives. Messages and
 * sections stream both ways in bounded chunks: to a callback or a file
 * descriptor when fetched, from a file descriptor when appended.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "session_int.h"

static int usable(const correu_imap_session *s)
{
	if (!s)
		return CORREU_ERR_ARG;
	return s->base.error ? s->base.error : 0;
}

int correu_imap_session_list(correu_imap_session *s, const char *pattern, uint32_t flags,
                             uint32_t status_items, correu_imap_event_fn fn, void *userdata)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!pattern)
		return CORREU_ERR_ARG;
	s->fn.data = fn;
	s->fn.userdata = userdata;
	return correu__imaps_job(s, correu_imap_client_list(s->c, "", 0, pattern, strlen(pattern),
	                                                    flags, status_items));
}

int correu_imap_session_select(correu_imap_session *s, const char *mailbox, uint32_t flags,
                               uint32_t *exists_out, uint32_t *uidvalidity_out)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!mailbox)
		return CORREU_ERR_ARG;
	s->exists = 0;
	s->uidvalidity = 0;
	rc = correu__imaps_job(
		s, correu_imap_client_select(s->c, mailbox, strlen(mailbox), flags, 0, 0, NULL, 0));
	if (rc == 0 && exists_out)
		*exists_out = s->exists;
	if (rc == 0 && uidvalidity_out)
		*uidvalidity_out = s->uidvalidity;
	return rc;
}

int correu_imap_session_search(correu_imap_session *s, const char *criteria,
                               correu_imap_number_fn fn, void *userdata)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!criteria || !fn)
		return CORREU_ERR_ARG;
	s->fn.num = fn;
	s->fn.userdata = userdata;
	return correu__imaps_job(s, correu_imap_client_search(s->c, CORREU_IMAP_UID, NULL, criteria,
	                                                      strlen(criteria)));
}

int correu_imap_session_fetch(correu_imap_session *s, const char *uid_set, const char *items,
                              correu_imap_event_fn fn, void *userdata)
{
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!fn)
		return CORREU_ERR_ARG;
	s->fn.data = fn;
	s->fn.userdata = userdata;
	return correu__imaps_job(
		s, correu_imap_client_fetch(s->c, CORREU_IMAP_UID, uid_set, items, 0));
}

int correu_imap_session_fetch_section(correu_imap_session *s, uint32_t uid, const char *section,
                                      correu_imap_body_fn fn, void *userdata)
{
	char set[16], items[256];
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!section || !fn || uid == 0 || strchr(section, ']') ||
	    (size_t)snprintf(items, sizeof(items), "(BODY.PEEK[%s])", section) >= sizeof(items))
		return CORREU_ERR_ARG;
	snprintf(set, sizeof(set), "%u", uid);
	s->fn.body = fn;
	s->fn.userdata = userdata;
	s->section_seen = false;
	rc = correu__imaps_job(s, correu_imap_client_fetch(s->c, CORREU_IMAP_UID, set, items, 0));
	/* RFC 9051 §6.4.5: a UID that does not exist gives OK and no data. */
	return rc == 0 && !s->section_seen ? CORREU_ERR_NOT_FOUND : rc;
}

int correu_imap_session_fetch_section_fd(correu_imap_session *s, uint32_t uid, const char *section,
                                         int fd)
{
	return correu_imap_session_fetch_section(s, uid, section, correu__proto_write_fd, &fd);
}

int correu_imap_session_store(correu_imap_session *s, const char *uid_set, const char *action,
                              const char *flag_list)
{
	int rc = usable(s);

	return rc < 0 ? rc
	              : correu__imaps_job(s,
	                                  correu_imap_client_store(s->c, CORREU_IMAP_UID, uid_set,
	                                                           action, flag_list, 0));
}

int correu_imap_session_move(correu_imap_session *s, const char *uid_set, const char *mailbox)
{
	uint32_t caps;
	int rc = usable(s);

	if (rc < 0)
		return rc;
	if (!mailbox)
		return CORREU_ERR_ARG;
	caps = correu_imap_client_caps(s->c);
	if (caps & (CORREU_IMAP_CAP_MOVE | CORREU_IMAP_CAP_IMAP4REV2))
		return correu__imaps_job(s, correu_imap_client_copy(s->c, CORREU_IMAP_CMD_MOVE,
		                                                    CORREU_IMAP_UID, uid_set,
		                                                    mailbox, strlen(mailbox)));
	/* RFC 6851 §3.3: without MOVE, COPY, mark deleted, and expunge only
	 * those UIDs, which needs UIDPLUS. */
	if (!(caps & CORREU_IMAP_CAP_UIDPLUS))
		return CORREU_ERR_UNSUPPORTED;
	rc = correu__imaps_job(s,
	                       correu_imap_client_copy(s->c, CORREU_IMAP_CMD_COPY, CORREU_IMAP_UID,
	                                               uid_set, mailbox, strlen(mailbox)));
	if (rc == 0)
		rc = correu_imap_session_store(s, uid_set, "+FLAGS.SILENT", "(\\Deleted)");
	if (rc == 0)
		rc = correu__imaps_job(s, correu_imap_client_expunge(s->c, uid_set));
	return rc;
}

int correu_imap_session_expunge(correu_imap_session *s)
{
	int rc = usable(s);

	return rc < 0 ? rc : correu__imaps_job(s, correu_imap_client_expunge(s->c, NULL));
}

static correu_ssize read_fd(uint8_t *buf, size_t len, void *userdata)
{
	correu_imap_session *s = userdata;

	for (;;) {
		ssize_t n = read(s->append_fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return CORREU_ERR_IO;
		/* Shorter than announced: the literal cannot be finished, and
		 * the core fails the session. */
		return n == 0 ? CORREU_ERR_INCOMPLETE : (correu_ssize)n;
	}
}

int correu_imap_session_append_fd(correu_imap_session *s, const char *mailbox,
                                  const char *flag_list, int fd, uint64_t size, uint32_t *uid_out)
{
	int rc = usable(s);

	if (uid_out)
		*uid_out = 0;
	if (rc < 0)
		return rc;
	if (!mailbox || fd < 0)
		return CORREU_ERR_ARG;
	s->append_fd = fd;
	s->append_uid = 0;
	rc = correu__imaps_job(s, correu_imap_client_append(s->c, mailbox, strlen(mailbox),
	                                                    flag_list, NULL, size, 0, read_fd, s));
	s->append_fd = -1;
	if (rc == 0 && uid_out)
		*uid_out = s->append_uid;
	return rc;
}

int correu_imap_session_idle(correu_imap_session *s, uint32_t timeout_ms, correu_imap_event_fn fn,
                             void *userdata)
{
	uint64_t wake = correu__proto_now_ms() + timeout_ms;
	int id, rc = usable(s);

	if (rc < 0)
		return rc;
	id = correu_imap_client_idle_start(s->c);
	if (id < 0)
		return id;
	s->idling = false;
	s->news = false;
	s->fn.data = fn;
	s->fn.userdata = userdata;
	s->base.await = (uint32_t)id;
	s->base.done = false;
	s->answered = false;
	/* Wait for news or the caller's time; a refused IDLE completes. */
	while (!s->base.done && !s->news && !s->base.error && correu__proto_now_ms() < wake) {
		rc = correu__proto_io_step(&s->base.io, &s->base.error,
		                           s->idling ? wake : UINT64_MAX);
		if (rc < 0)
			return rc;
	}
	if (s->base.error)
		return s->base.error;
	if (s->base.done) {
		/* Refused (NO or BAD) before it began, or the server closed. */
		if (!s->answered)
			return CORREU_ERR_CLOSED;
		s->fn.data = NULL;
		s->base.await = 0;
		return CORREU_ERR_REPLY;
	}
	rc = correu_imap_client_idle_done(s->c);
	rc = correu__imaps_job(s, rc < 0 ? rc : id);
	s->idling = false;
	return rc < 0 ? rc : (s->news ? 1 : 0);
}
