/*
 * Scanning a folder (store layer): list new/ and cur/, match each file to
 * its dovecot-uidlist record by base name, give files not yet listed the
 * next UIDs in arrival order (the order of the numbers in their names,
 * correu__md_name_cmp(): not string order, as they are not zero-padded),
 * drop records whose file is gone (expunged elsewhere), and write the
 * uidlist. Runs under the uidlist lock, like Dovecot's sync.
 *
 * readdir() may miss a file renamed while the directory is read (a flag
 * change in another process; Dovecot's Maildir notes describe the same
 * race). A record without its file therefore counts as expunged only after
 * a scan during which neither directory changed: their mtimes are the same
 * before and after, and older than the scan's start by more than the
 * clock's tick (a change during the scan would have moved them). Under
 * constant changes such records are kept for a later sync. new/ is read
 * before cur/, so a message moved from new/ to cur/ during the scan is seen
 * at least once; seen twice, the cur/ copy wins. tmp/ is cleaned of files
 * older than tmp_max_age_s.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maildir_internal.h"

struct entry {
	char *name;
	size_t base;
	bool in_new;
	bool used;
};

struct scan {
	correu_maildir *md;
	struct entry *e;
	size_t n, cap;
};

static void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		correu__md_strfree(s->md, s->e[i].name);
	correu__free(s->md->alloc, s->e, s->cap * sizeof(*s->e));
	s->e = NULL;
	s->n = s->cap = 0;
}

static int list_dir(struct scan *s, const char *dir, bool in_new)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return correu__md_errno(errno);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *nm = de->d_name;

		/* Dot files are not messages (Maildir spec); a name with a
		 * line break could not be written to dovecot-uidlist. */
		if (nm[0] == '.' || strpbrk(nm, "\r\n"))
			continue;
		if (s->n >= s->md->set.max_messages * 2ull) {
			rc = CORREU_ERR_LIMIT;
			break;
		}
		if (s->n == s->cap) {
			size_t ncap = s->cap ? s->cap * 2 : 64;
			struct entry *ne = correu__realloc(s->md->alloc, s->e, s->cap * sizeof(*ne),
			                                   ncap * sizeof(*ne));

			if (!ne) {
				rc = CORREU_ERR_NOMEM;
				break;
			}
			s->e = ne;
			s->cap = ncap;
		}
		s->e[s->n].name = correu__md_strndup(s->md, nm, strlen(nm));
		if (!s->e[s->n].name) {
			rc = CORREU_ERR_NOMEM;
			break;
		}
		s->e[s->n].base = correu__md_base_len(nm);
		s->e[s->n].in_new = in_new;
		s->e[s->n].used = false;
		s->n++;
	}
	closedir(d);
	return rc;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = correu__md_name_cmp(a->name, a->base, b->name, b->base);

	/* Same message in both directories: cur/ first, so it wins. */
	return c ? c : (int)a->in_new - (int)b->in_new;
}

static struct entry *lookup(struct scan *s, const char *fname)
{
	size_t base = correu__md_base_len(fname), lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = correu__md_name_cmp(s->e[mid].name, s->e[mid].base, fname, base);

		if (c == 0) {
			while (mid > 0 && correu__md_name_cmp(s->e[mid - 1].name,
			                                      s->e[mid - 1].base, fname, base) == 0)
				mid--;
			return &s->e[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Both directories' mtimes in nanoseconds. */
static void dir_times(correu_maildir_box *box, int64_t t[2])
{
	static const char *const subs[2] = {"new", "cur"};
	char dir[MD_PATH_MAX];
	struct stat st;

	for (int i = 0; i < 2; i++) {
		t[i] = -1;
		if (correu__md_path(dir, box->path, subs[i]) == 0 && stat(dir, &st) == 0)
			t[i] = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	}
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	/* The clock the kernel stamps mtimes with. */
#ifdef CLOCK_REALTIME_COARSE
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
#else
	clock_gettime(CLOCK_REALTIME, &ts);
#endif
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int scan_once(correu_maildir_box *box, struct scan *s, size_t *missing, bool *stable)
{
	char dir[MD_PATH_MAX];
	int64_t before[2], after[2], start = wall_ns();
	int rc;

	dir_times(box, before);
	if ((rc = correu__md_path(dir, box->path, "new")) < 0 || (rc = list_dir(s, dir, true)) < 0)
		return rc;
	if ((rc = correu__md_path(dir, box->path, "cur")) < 0 || (rc = list_dir(s, dir, false)) < 0)
		return rc;
	dir_times(box, after);
	/* 20 ms: well past the kernel's timestamp granularity (a jiffy). */
	*stable = before[0] == after[0] && before[1] == after[1] &&
	          before[0] < start - 20000000 && before[1] < start - 20000000;
	if (s->n)
		qsort(s->e, s->n, sizeof(*s->e), entry_cmp);
	*missing = 0;
	for (size_t i = 0; i < box->n; i++) {
		struct md_rec *r = &box->recs[i];
		struct entry *e = lookup(s, r->fname);

		r->found = false;
		if (!e || e->used) {
			(*missing)++;
			continue;
		}
		/* Mark every copy of this base used (new/ and cur/ twins). */
		for (struct entry *t = e; t < s->e + s->n && t->base == e->base &&
		                          memcmp(t->name, e->name, e->base) == 0;
		     t++)
			t->used = true;
		if (strcmp(r->fname, e->name) != 0 || r->in_new != e->in_new) {
			rc = correu__md_rec_set_fname(box->md, r, e->name);
			if (rc < 0)
				return rc;
		}
		r->in_new = e->in_new;
		correu__md_info_parse(r->fname, &r->flags, &r->keywords);
		r->found = true;
	}
	return 0;
}

static int add_new(correu_maildir_box *box, struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->e[i];
		struct md_rec *r;
		int rc;

		if (e->used)
			continue;
		for (struct entry *t = e; t < s->e + s->n && t->base == e->base &&
		                          memcmp(t->name, e->name, e->base) == 0;
		     t++)
			t->used = true;
		if (box->next_uid == UINT32_MAX)
			return CORREU_ERR_LIMIT;
		rc = correu__md_recs_reserve(box, 1);
		if (rc < 0)
			return rc;
		r = &box->recs[box->n];
		memset(r, 0, sizeof(*r));
		r->fname = e->name; /* taken over */
		r->fname_cap = strlen(e->name) + 1;
		e->name = NULL;
		r->uid = box->next_uid++;
		r->in_new = e->in_new;
		r->found = true;
		correu__md_info_parse(r->fname, &r->flags, &r->keywords);
		box->n++;
	}
	return 0;
}

static int assign_modseqs(correu_maildir_box *box)
{
	size_t zero = 0;
	int rc;

	for (size_t i = 0; i < box->n; i++)
		zero += box->recs[i].modseq == 0;
	if (zero > 16) {
		/* A folder seen for the first time: one compacted log. */
		for (size_t i = 0; i < box->n; i++) {
			if (!box->recs[i].modseq)
				box->recs[i].modseq = ++box->highest_modseq;
		}
		return correu__md_modseq_compact(box);
	}
	for (size_t i = 0; i < box->n && zero; i++) {
		if (box->recs[i].modseq)
			continue;
		rc = correu__md_modseq_bump(box, &box->recs[i], false);
		if (rc < 0)
			return rc;
		zero--;
	}
	if (box->modseq_lines > 2 * box->n + 1000)
		return correu__md_modseq_compact(box);
	return 0;
}

int correu__md_sync_locked(correu_maildir_box *box)
{
	struct scan s = {box->md, NULL, 0, 0};
	size_t missing = 0, kept = 0, from;
	int rc = correu__md_uidlist_load(box);

	bool stable = false;

	for (int attempt = 0; rc == 0 && attempt < 3; attempt++) {
		if (attempt)
			usleep(25000); /* let the directories age past a tick */
		scan_free(&s);
		rc = scan_once(box, &s, &missing, &stable);
		if (missing == 0 || stable)
			break;
	}
	if (rc < 0)
		goto out;
	/* Records still without a file after a quiet scan were expunged;
	 * after a busy one they wait for the next sync. */
	for (size_t i = 0; i < box->n; i++) {
		if (box->recs[i].found || !stable)
			box->recs[kept++] = box->recs[i];
		else
			correu__md_rec_clear(box->md, &box->recs[i]);
	}
	if (kept != box->n)
		box->ul_rewrite = true;
	box->n = kept;
	from = box->n;
	rc = add_new(box, &s);
	for (size_t i = 0; rc == 0 && i < box->n; i++) {
		if (!box->recs[i].have_stat)
			(void)correu__md_rec_stat(box, &box->recs[i]);
	}
	if (rc == 0 && (from < box->n || box->ul_rewrite))
		rc = correu__md_uidlist_write(box, from);
	if (rc == 0)
		rc = correu__md_modseq_load(box);
	if (rc == 0)
		rc = assign_modseqs(box);
out:
	scan_free(&s);
	return rc;
}

void correu__md_tmp_cleanup(correu_maildir_box *box)
{
	char dir[MD_PATH_MAX], p[MD_PATH_MAX];
	time_t limit = time(NULL) - (time_t)box->md->set.tmp_max_age_s;
	struct dirent *de;
	DIR *d;

	if (correu__md_path(dir, box->path, "tmp") < 0 || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.' || correu__md_path(p, dir, de->d_name) < 0)
			continue;
		/* Dovecot removes tmp/ files left for 36 hours: a delivery
		 * writes as it goes, so one unwritten that long was abandoned. */
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < limit)
			(void)unlink(p);
	}
	closedir(d);
}
