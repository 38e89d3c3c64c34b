/*
 * Internal types and helpers of the Maildir store (store layer): the root
 * and box structures, the message record, and the functions the store's
 * files share (paths, locking, uidlist, keywords, flags, scanning). Nothing
 * here is exported; everything is named correu__md_* or md_*.
 */
#ifndef CORREU_MAILDIR_INTERNAL_H
#define CORREU_MAILDIR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "correu/maildir.h"
#include "internal.h"

/* Every path we build fits here; longer ones fail with CORREU_ERR_LIMIT. */
#define MD_PATH_MAX 4096

/* Dovecot's file names, shared with it (see docs/maildir.md). */
#define MD_UIDLIST "dovecot-uidlist"
#define MD_UIDLIST_LOCK "dovecot-uidlist.lock"
#define MD_UIDLIST_TMP "dovecot-uidlist.tmp"
#define MD_KEYWORDS "dovecot-keywords"
#define MD_KEYWORDS_LOCK "dovecot-keywords.lock"
#define MD_UIDVALIDITY "dovecot-uidvalidity"
#define MD_SUBSCRIPTIONS "subscriptions"
#define MD_SUBFOLDER_MARK "maildirfolder"
/* correu's own: per-message MODSEQs, which Dovecot keeps in its index. */
#define MD_MODSEQ "correu-modseq"

struct correu_maildir {
	const correu_allocator *alloc;
	const correu_logger *log;
	correu_maildir_settings set;
	char root[MD_PATH_MAX];
	size_t root_len;
	char host[256];      /* sanitised host name for file names */
	char lock_host[256]; /* host name as written in lock files */
	uint32_t seq;   /* deliveries made through this handle (unique names) */
	size_t open_boxes;
};

/* One message as the store knows it. */
struct md_rec {
	uint32_t uid;
	uint32_t flags;    /* CORREU_MAILDIR_FLAG_* */
	uint32_t keywords; /* bit i = letter 'a' + i */
	bool in_new;
	bool have_stat; /* size and mtime are known */
	bool found;     /* seen by the current scan */
	uint64_t size, vsize, modseq;
	int64_t mtime;
	char *fname; /* current file name (with info), NULL until found */
	size_t fname_cap;
	char *ext; /* uidlist extension fields as read, e.g. "W2481" */
	size_t ext_len;
};

struct correu_maildir_box {
	correu_maildir *md;
	char path[MD_PATH_MAX]; /* the folder's directory */
	size_t path_len;

	/* dovecot-uidlist header */
	uint32_t uidvalidity, next_uid;
	uint8_t guid[16];
	bool have_guid;
	char *hdr_ext; /* other header fields, preserved on rewrite */
	size_t hdr_ext_len;

	/* messages in UID order */
	struct md_rec *recs;
	size_t n, cap;

	/* what we read of dovecot-uidlist, to read only what was appended */
	dev_t ul_dev;
	ino_t ul_ino;
	uint64_t ul_off;     /* bytes parsed (always at a line end) */
	bool ul_open;        /* the file existed at the last read */
	bool ul_rewrite;     /* rewrite the whole file at the next write */

	/* dovecot-keywords */
	char *kw[CORREU_MAILDIR_MAX_KEYWORDS];
	size_t kw_len[CORREU_MAILDIR_MAX_KEYWORDS];
	int64_t kw_mtime;
	bool kw_loaded;

	/* correu-modseq */
	uint64_t highest_modseq;
	size_t modseq_lines;
	dev_t ms_dev;
	ino_t ms_ino;
	uint64_t ms_off; /* bytes of correu-modseq applied */

	/* the uidlist dotlock, when held */
	bool locked;
	bool batch; /* flag updates share the lock and one log sync */
	dev_t lock_dev;
	ino_t lock_ino;
};

/* --- maildir.c: paths and small helpers ------------------------------- */
/* dir + "/" + name into buf; CORREU_ERR_LIMIT when it does not fit. */
int correu__md_path(char *buf, const char *dir, const char *name);
int correu__md_path3(char *buf, const char *dir, const char *sub, const char *name);
/* errno of a failed system call as a CORREU_ERR_* code. */
int correu__md_errno(int err);
/* fsync a directory by path. */
int correu__md_fsync_dir(const char *dir);
/* Create dir with cur/ new/ tmp/; EXISTS if dir itself existed and ok_exist is false. */
int correu__md_make_maildir(correu_maildir *md, const char *dir, bool ok_exist);
/* Read a whole small file with a size cap; *out allocated with alloc. */
int correu__md_read_file(correu_maildir *md, const char *path, size_t max,
                         char **out, size_t *len_out);
/* Write buf to tmp_path, fsync, rename over path. */
int correu__md_replace_file(correu_maildir *md, const char *tmp_path, const char *path,
                            const char *buf, size_t len, bool excl);
/* Buffered writes to a file descriptor; the first error sticks in err. */
typedef struct md_wbuf {
	int fd;
	int err;
	size_t len;
	char buf[8192];
} md_wbuf;
void correu__md_wb_put(md_wbuf *w, const char *s, size_t n);
void correu__md_wb_flush(md_wbuf *w);
/* Open tmp_path for a file's replacement (O_EXCL with excl: BUSY when it
 * exists, as for a lock; else truncated). */
int correu__md_wb_create(correu_maildir *md, md_wbuf *w, const char *tmp_path, bool excl);
/* Flush, fsync, close and rename tmp_path over path; *st is the new file's
 * stat. On failure tmp_path is removed. */
int correu__md_wb_replace(md_wbuf *w, const char *tmp_path, const char *path, struct stat *st);
char *correu__md_strndup(correu_maildir *md, const char *s, size_t n);
void correu__md_strfree(correu_maildir *md, char *s);

/* --- names.c: folder names -------------------------------------------- */
/* Validate a UTF-8 API name; set *is_inbox. */
int correu__md_name_check(const char *name, size_t len, bool *is_inbox);
/* Directory of a folder (root for INBOX) into buf. */
int correu__md_folder_dir(correu_maildir *md, const char *name, size_t len, char *buf,
                          bool *is_inbox);
/* The on-disk (modified UTF-7) form of a valid name, NUL-terminated. */
int correu__md_name_encode(correu_maildir *md, const char *name, size_t len, char *buf,
                           size_t cap, size_t *len_out);

/* --- names.c: modified UTF-7 through the codec layer, NUL-terminated ---- */
int correu__md_utf8_to_mutf7(const char *in, size_t len, char *out, size_t cap,
                             size_t *len_out);
int correu__md_mutf7_to_utf8(const char *in, size_t len, char *out, size_t cap,
                             size_t *len_out);

/* --- lock.c: dovecot-uidlist.lock ------------------------------------- */
/* Create `lock_path` exclusively (waiting up to lock_wait_ms, overriding a
 * stale lock); on success dev and ino identify our lock. */
int correu__md_dotlock(correu_maildir *md, const char *lock_path, dev_t *dev, ino_t *ino);
/* Remove our lock (only if it is still ours). */
void correu__md_dotunlock(const char *lock_path, dev_t dev, ino_t ino);
int correu__md_box_lock(correu_maildir_box *box);
void correu__md_box_unlock(correu_maildir_box *box);

/* --- uidlist.c: dovecot-uidlist version 3 ------------------------------ */
typedef int (*md_uidlist_rec_fn)(void *ud, uint32_t uid, const char *ext, size_t ext_len,
                                 const char *fname, size_t fname_len);
typedef struct md_uidlist_parser {
	correu__buf line;
	bool header_done;
	bool broken; /* a record line failed: the rest is ignored */
	uint32_t version, uidvalidity, next_uid, last_uid;
	uint8_t guid[16];
	bool have_guid;
	correu__buf hdr_ext;
	uint64_t consumed; /* bytes of complete lines parsed */
	md_uidlist_rec_fn rec;
	void *ud;
} md_uidlist_parser;

void correu__md_uidlist_parser_init(md_uidlist_parser *p, const correu_allocator *a,
                                    size_t max_line, md_uidlist_rec_fn rec, void *ud);
/* Continue a parse whose header was already read (an appended tail). */
void correu__md_uidlist_parser_resume(md_uidlist_parser *p, uint32_t version,
                                      uint32_t last_uid);
/* Feed bytes: 0, or SYNTAX (header unreadable: stop), LIMIT, NOMEM. A bad
 * record line sets p->broken and the rest of the input is ignored. */
int correu__md_uidlist_feed(md_uidlist_parser *p, const uint8_t *data, size_t len);
void correu__md_uidlist_parser_free(md_uidlist_parser *p);
/* Read the box's dovecot-uidlist (whole or its new tail). */
int correu__md_uidlist_load(correu_maildir_box *box);
/* Append records [from, n) or rewrite the whole file; fsynced. */
int correu__md_uidlist_write(correu_maildir_box *box, size_t from);

/* --- uidvalidity.c ---------------------------------------------------- */
int correu__md_uidvalidity_next(correu_maildir *md, uint32_t *out);

/* --- keywords.c: dovecot-keywords ------------------------------------- */
int correu__md_keywords_load(correu_maildir_box *box);
void correu__md_keywords_free(correu_maildir_box *box);
bool correu__md_keyword_valid(const char *name, size_t len);

/* --- flags.c: the ":2,<letters>" info suffix --------------------------- */
void correu__md_info_parse(const char *fname, uint32_t *flags, uint32_t *keywords);
/* New file name: fname's base + ":2," + flags and keywords letters + any
 * ",<extra>" part of the old info kept. */
int correu__md_info_build(const char *fname, uint32_t flags, uint32_t keywords, char *out,
                          size_t cap);

/* --- filename.c: unique names, S= and W= ------------------------------ */
size_t correu__md_base_len(const char *fname);
bool correu__md_base_field(const char *fname, char key, uint64_t *value);
int correu__md_unique_name(correu_maildir *md, char *out, size_t cap);
/* Order of two base names: arrival order for time-based unique names (runs
 * of digits compare as numbers); 0 only for the same bytes. */
int correu__md_name_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* --- modseq.c: correu-modseq ------------------------------------------ */
int correu__md_modseq_load(correu_maildir_box *box);
/* Give r a new MODSEQ and log it (lock held); sync: fdatasync the log. */
int correu__md_modseq_bump(correu_maildir_box *box, struct md_rec *r, bool sync);
int correu__md_modseq_compact(correu_maildir_box *box);
/* fdatasync the log (lock held). */
int correu__md_modseq_sync(correu_maildir_box *box);

/* --- update.c: many flag updates as one ------------------------------ */
/* Take the lock for a run of correu_maildir_box_update_flags() calls,
 * which then neither lock nor sync each; end syncs the log once and
 * unlocks, whatever happened in between. */
int correu__md_batch_begin(correu_maildir_box *box);
int correu__md_batch_end(correu_maildir_box *box);

/* --- scan.c: the new and cur directories ---------------------------------------------- */
/* Under the lock: load uidlist, scan, assign UIDs, write uidlist. */
int correu__md_sync_locked(correu_maildir_box *box);
void correu__md_tmp_cleanup(correu_maildir_box *box);

/* --- box.c ------------------------------------------------------------ */
struct md_rec *correu__md_rec_find(correu_maildir_box *box, uint32_t uid);
int correu__md_recs_reserve(correu_maildir_box *box, size_t extra);
void correu__md_rec_clear(correu_maildir *md, struct md_rec *r);
int correu__md_rec_set_fname(correu_maildir *md, struct md_rec *r, const char *name);
/* Full path of a record's file. */
int correu__md_rec_path(const correu_maildir_box *box, const struct md_rec *r, char *buf);
int correu__md_rec_stat(correu_maildir_box *box, struct md_rec *r);

/* --- deliver.c: shared with copy.c ------------------------------------ */
/* Under the destination's lock: move tmp_path into new/ or cur/ with flags,
 * fsync the directory, append a UID. */
int correu__md_deliver_locked(correu_maildir_box *box, const char *tmp_path,
                              const char *unique, uint64_t size, uint64_t vsize,
                              uint32_t flags, uint32_t keywords, bool link_only,
                              uint32_t *uid_out);
/* SMTP/LMTP delivery without a UID, in three steps that touch nothing but
 * the delivery and the file system, so that any thread may run them:
 * flush (fsync the file, set its date, close it), place (link it into
 * new/ under its final name; the caller then fsyncs new/ before anyone
 * is told), and unplace (take it out again when that fsync failed). */
int correu__md_delivery_flush(correu_maildir_delivery *d);
int correu__md_delivery_place(correu_maildir_delivery *d);
void correu__md_delivery_unplace(correu_maildir_delivery *d);

/* --- box.c: a folder opened only to deliver into ------------------------ */
/* Open INBOX (made if missing) without reading or syncing anything: no
 * messages, no UIDVALIDITY; only deliveries may use the box. */
int correu__md_box_open_inbox_bare(correu_maildir *md, correu_maildir_box **box_out);

#endif
