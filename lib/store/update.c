/*
 * Changing messages in place (store layer): flags and keywords by renaming
 * the file with a new ":2," info (which also moves it from new/ to cur/, as
 * Dovecot does), taking new/ messages into cur/ when a session opens the
 * folder, and expunging by unlink. Each runs under the uidlist lock, so its
 * MODSEQ is logged in order; if another process renamed or removed the file
 * meanwhile, the folder is re-scanned and the change retried once. A batch
 * (a STORE or a POP3 QUIT over many messages) takes the lock once and syncs
 * the MODSEQ log once at its end, not per message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "maildir_internal.h"

static int rename_rec(correu_maildir_box *box, struct md_rec *r, uint32_t flags,
                      uint32_t keywords, bool *changed)
{
	char name[1024], from[MD_PATH_MAX], to[MD_PATH_MAX];
	int rc = correu__md_info_build(r->fname, flags, keywords, name, sizeof(name));

	*changed = false;
	if (rc == 0)
		rc = correu__md_rec_path(box, r, from);
	if (rc == 0)
		rc = correu__md_path3(to, box->path, "cur", name);
	if (rc < 0)
		return rc;
	if (strcmp(from, to) == 0)
		return 0;
	if (rename(from, to) != 0)
		return correu__md_errno(errno);
	rc = correu__md_rec_set_fname(box->md, r, name);
	r->in_new = false;
	r->flags = flags;
	r->keywords = keywords;
	*changed = true;
	return rc;
}

int correu_maildir_box_update_flags(correu_maildir_box *box, uint32_t uid, uint32_t add_flags,
                                    uint32_t remove_flags, uint32_t add_keywords,
                                    uint32_t remove_keywords)
{
	uint32_t kmask = (1u << CORREU_MAILDIR_MAX_KEYWORDS) - 1;
	struct md_rec *r;
	bool changed = false;
	int rc;

	if (!box || ((add_flags | remove_flags) & ~CORREU_MAILDIR_FLAGS_ALL) ||
	    ((add_keywords | remove_keywords) & ~kmask))
		return CORREU_ERR_ARG;
	rc = box->batch ? 0 : correu__md_box_lock(box);
	if (rc < 0)
		return rc;
	for (int attempt = 0; attempt < 2; attempt++) {
		r = correu__md_rec_find(box, uid);
		if (!r || !r->fname) {
			rc = CORREU_ERR_NOT_FOUND;
			break;
		}
		rc = rename_rec(box, r, (r->flags | add_flags) & ~remove_flags,
		                (r->keywords | add_keywords) & ~remove_keywords, &changed);
		if (rc != CORREU_ERR_NOT_FOUND || attempt == 1)
			break;
		/* Renamed or expunged by someone else: look again. */
		rc = correu__md_sync_locked(box);
		if (rc < 0)
			break;
	}
	if (rc == 0 && changed)
		rc = correu__md_modseq_bump(box, correu__md_rec_find(box, uid), !box->batch);
	if (!box->batch)
		correu__md_box_unlock(box);
	return rc;
}

int correu__md_batch_begin(correu_maildir_box *box)
{
	int rc = correu__md_box_lock(box);

	box->batch = rc == 0;
	return rc;
}

int correu__md_batch_end(correu_maildir_box *box)
{
	int rc;

	if (!box->batch)
		return CORREU_ERR_INTERNAL;
	box->batch = false;
	/* The log may not exist yet when nothing changed. */
	rc = correu__md_modseq_sync(box);
	correu__md_box_unlock(box);
	return rc == CORREU_ERR_NOT_FOUND ? 0 : rc;
}

int correu_maildir_box_take_new(correu_maildir_box *box)
{
	int rc, moved = 0;

	if (!box)
		return CORREU_ERR_ARG;
	rc = correu__md_box_lock(box);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < box->n && rc == 0; i++) {
		struct md_rec *r = &box->recs[i];
		bool changed;

		if (!r->in_new || !r->fname)
			continue;
		rc = rename_rec(box, r, r->flags, r->keywords, &changed);
		if (rc == CORREU_ERR_NOT_FOUND) {
			rc = 0; /* moved or expunged elsewhere: the next sync sees it */
			continue;
		}
		moved += changed;
	}
	correu__md_box_unlock(box);
	return rc < 0 ? rc : moved;
}

int correu_maildir_box_expunge(correu_maildir_box *box, uint32_t uid)
{
	char p[MD_PATH_MAX];
	struct md_rec *r, gone;
	int rc;

	if (!box)
		return CORREU_ERR_ARG;
	rc = correu__md_box_lock(box);
	if (rc < 0)
		return rc;
	for (int attempt = 0; attempt < 2; attempt++) {
		r = correu__md_rec_find(box, uid);
		if (!r || !r->fname) {
			rc = CORREU_ERR_NOT_FOUND;
			break;
		}
		rc = correu__md_rec_path(box, r, p);
		if (rc == 0 && unlink(p) != 0)
			rc = correu__md_errno(errno);
		if (rc != CORREU_ERR_NOT_FOUND || attempt == 1)
			break;
		rc = correu__md_sync_locked(box);
		if (rc < 0)
			break;
	}
	if (rc == 0) {
		size_t i = (size_t)(r - box->recs);

		gone = *r;
		memmove(r, r + 1, (box->n - i - 1) * sizeof(*r));
		box->n--;
		/* The record leaves dovecot-uidlist at its next write. */
		box->ul_rewrite = true;
		/* HIGHESTMODSEQ grows on expunge too (RFC 7162 section 3.2.10). */
		rc = correu__md_modseq_bump(box, &gone, true);
		correu__md_rec_clear(box->md, &gone);
	}
	correu__md_box_unlock(box);
	return rc;
}
