/*
 * An open folder (store layer): opening and closing, syncing with the disk
 * under the uidlist lock, the message table in UID order and its accessors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "maildir_internal.h"

int correu__md_recs_reserve(correu_maildir_box *box, size_t extra)
{
	size_t need, ncap;
	struct md_rec *nr;

	if (!correu__add(box->n, extra, &need) || need > box->md->set.max_messages)
		return CORREU_ERR_LIMIT;
	if (need <= box->cap)
		return 0;
	ncap = box->cap ? box->cap : 64;
	while (ncap < need)
		ncap *= 2;
	nr = correu__realloc(box->md->alloc, box->recs, box->cap * sizeof(*nr),
	                     ncap * sizeof(*nr));
	if (!nr)
		return CORREU_ERR_NOMEM;
	box->recs = nr;
	box->cap = ncap;
	return 0;
}

void correu__md_rec_clear(correu_maildir *md, struct md_rec *r)
{
	if (r->fname)
		correu__free(md->alloc, r->fname, r->fname_cap);
	correu__md_strfree(md, r->ext);
	r->fname = NULL;
	r->ext = NULL;
	r->fname_cap = r->ext_len = 0;
}

int correu__md_rec_set_fname(correu_maildir *md, struct md_rec *r, const char *name)
{
	size_t n = strlen(name) + 1;

	if (n > r->fname_cap) {
		char *p = correu__realloc(md->alloc, r->fname, r->fname_cap, n);

		if (!p)
			return CORREU_ERR_NOMEM;
		r->fname = p;
		r->fname_cap = n;
	}
	memcpy(r->fname, name, n);
	return 0;
}

struct md_rec *correu__md_rec_find(correu_maildir_box *box, uint32_t uid)
{
	size_t lo = 0, hi = box->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (box->recs[mid].uid == uid)
			return &box->recs[mid];
		if (box->recs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int correu__md_rec_path(const correu_maildir_box *box, const struct md_rec *r, char *buf)
{
	return correu__md_path3(buf, box->path, r->in_new ? "new" : "cur", r->fname);
}

int correu__md_rec_stat(correu_maildir_box *box, struct md_rec *r)
{
	char p[MD_PATH_MAX];
	struct stat st;
	uint64_t v;
	int rc = correu__md_rec_path(box, r, p);

	if (rc < 0)
		return rc;
	if (stat(p, &st) != 0)
		return correu__md_errno(errno);
	r->size = correu__md_base_field(r->fname, 'S', &v) ? v : (uint64_t)st.st_size;
	r->vsize = 0;
	if (correu__md_base_field(r->fname, 'W', &v)) {
		r->vsize = v;
	} else if (r->ext) {
		/* Dovecot records W<vsize> in the uidlist when the name lacks it. */
		for (const char *e = r->ext; e && *e; e = strchr(e, ' ') ? strchr(e, ' ') + 1 : NULL) {
			if (*e == 'W')
				r->vsize = strtoull(e + 1, NULL, 10);
		}
	}
	r->mtime = (int64_t)st.st_mtime;
	r->have_stat = true;
	return 0;
}

static int sync_now(correu_maildir_box *box)
{
	int rc = correu__md_box_lock(box);

	if (rc < 0)
		return rc;
	rc = correu__md_sync_locked(box);
	correu__md_box_unlock(box);
	if (rc == 0)
		rc = correu__md_keywords_load(box);
	return rc;
}

int correu__md_box_open_inbox_bare(correu_maildir *md, correu_maildir_box **box_out)
{
	correu_maildir_box *box;

	/* The root was made a Maildir by correu_maildir_open(). A delivery
	 * needs only the path: scanning here would make every recipient cost
	 * as much as the folder is large. */
	box = correu__calloc(md->alloc, sizeof(*box));
	if (!box)
		return CORREU_ERR_NOMEM;
	box->md = md;
	memcpy(box->path, md->root, md->root_len + 1);
	box->path_len = md->root_len;
	md->open_boxes++;
	*box_out = box;
	return 0;
}

int correu_maildir_box_open(correu_maildir *md, const char *name, size_t len,
                            correu_maildir_box **box_out)
{
	correu_maildir_box *box;
	char dir[MD_PATH_MAX], cur[MD_PATH_MAX];
	struct stat st;
	bool inbox;
	int rc;

	if (!md || !box_out)
		return CORREU_ERR_ARG;
	*box_out = NULL;
	rc = correu__md_folder_dir(md, name, len, dir, &inbox);
	if (rc < 0)
		return rc;
	if (inbox)
		rc = correu__md_make_maildir(md, dir, true);
	if (rc == 0)
		rc = correu__md_path(cur, dir, "cur");
	if (rc < 0)
		return rc;
	if (stat(cur, &st) != 0 || !S_ISDIR(st.st_mode))
		return CORREU_ERR_NOT_FOUND;
	box = correu__calloc(md->alloc, sizeof(*box));
	if (!box)
		return CORREU_ERR_NOMEM;
	box->md = md;
	memcpy(box->path, dir, strlen(dir) + 1);
	box->path_len = strlen(dir);
	correu__md_tmp_cleanup(box);
	rc = sync_now(box);
	if (rc < 0) {
		md->open_boxes++;
		correu_maildir_box_close(box);
		return rc;
	}
	md->open_boxes++;
	*box_out = box;
	return 0;
}

void correu_maildir_box_close(correu_maildir_box *box)
{
	correu_maildir *md;

	if (!box)
		return;
	md = box->md;
	correu__md_box_unlock(box);
	for (size_t i = 0; i < box->n; i++)
		correu__md_rec_clear(md, &box->recs[i]);
	correu__free(md->alloc, box->recs, box->cap * sizeof(*box->recs));
	correu__md_strfree(md, box->hdr_ext);
	correu__md_keywords_free(box);
	md->open_boxes--;
	correu__free(md->alloc, box, sizeof(*box));
}

int correu_maildir_box_sync(correu_maildir_box *box)
{
	return box ? sync_now(box) : CORREU_ERR_ARG;
}

uint32_t correu_maildir_box_uidvalidity(const correu_maildir_box *box)
{
	return box ? box->uidvalidity : 0;
}

uint32_t correu_maildir_box_uidnext(const correu_maildir_box *box)
{
	return box ? box->next_uid : 0;
}

uint64_t correu_maildir_box_highestmodseq(const correu_maildir_box *box)
{
	return box ? box->highest_modseq : 0;
}

size_t correu_maildir_box_count(const correu_maildir_box *box)
{
	return box ? box->n : 0;
}

int correu_maildir_box_message(const correu_maildir_box *box, size_t index,
                               correu_maildir_msg *m)
{
	const struct md_rec *r;

	if (!box || !m || m->version != CORREU_MAILDIR_MSG_VERSION)
		return CORREU_ERR_ARG;
	if (index >= box->n)
		return CORREU_ERR_NOT_FOUND;
	r = &box->recs[index];
	m->uid = r->uid;
	m->flags = r->flags;
	m->keywords = r->keywords;
	m->is_new = r->in_new;
	m->reserved = 0;
	m->size = r->size;
	m->vsize = r->vsize;
	m->internal_date = r->mtime;
	m->modseq = r->modseq;
	m->filename = r->fname;
	return 0;
}

int correu_maildir_box_find(const correu_maildir_box *box, uint32_t uid, size_t *index_out)
{
	const struct md_rec *r;

	if (!box || !index_out)
		return CORREU_ERR_ARG;
	r = correu__md_rec_find((correu_maildir_box *)box, uid);
	if (!r)
		return CORREU_ERR_NOT_FOUND;
	*index_out = (size_t)(r - box->recs);
	return 0;
}
