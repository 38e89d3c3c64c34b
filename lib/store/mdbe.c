/*
 * The default backend (store layer): setup, users (from the password
 * file), sessions (one Maildir per user, found from a path template) and
 * folder management (LIST with special use by name, CREATE, DELETE,
 * RENAME, SUBSCRIBE, STATUS). Every callback answers at once but a
 * delivery commit given to the commit workers (mdbe_pool.c).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "mdbe_int.h"

int correu_maildir_backend_new(const correu_maildir_backend_config *cfg,
                               const correu_allocator *alloc, const correu_logger *logger,
                               correu_maildir_backend **out)
{
	correu_maildir_backend *mb;
	size_t len;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (!cfg || cfg->version < 1 || cfg->version > CORREU_MAILDIR_BACKEND_CONFIG_VERSION ||
	    !cfg->root || !strstr(cfg->root, "%u"))
		return CORREU_ERR_ARG;
	/* Version 1 ends before commit_threads: those fields are not read. */
	if (cfg->version >= 2 && (cfg->commit_threads > 64 || cfg->reserved ||
	                          (cfg->commit_threads && !cfg->wake)))
		return CORREU_ERR_ARG;
	mb = correu__calloc(alloc, sizeof(*mb));
	if (!mb)
		return CORREU_ERR_NOMEM;
	len = strlen(cfg->root);
	mb->root = correu__alloc(alloc, len + 1);
	if (!mb->root) {
		correu__free(alloc, mb, sizeof(*mb));
		return CORREU_ERR_NOMEM;
	}
	memcpy(mb->root, cfg->root, len + 1);
	mb->root_len = len;
	mb->alloc = alloc;
	mb->logger = logger;
	mb->users = cfg->users;
	mb->max_rcpts = cfg->max_rcpts ? cfg->max_rcpts : 100;
	if (cfg->maildir) {
		mb->mset = *cfg->maildir;
	} else if (correu_maildir_settings_init(&mb->mset) < 0) {
		correu_maildir_backend_free(mb);
		return CORREU_ERR_INTERNAL;
	}
	if (cfg->version >= 2 && cfg->commit_threads) {
		int rc = correu__mdbe_pool_new(alloc, cfg->commit_threads, cfg->wake,
		                               cfg->wake_userdata, &mb->pool);

		if (rc < 0) {
			correu_maildir_backend_free(mb);
			return rc;
		}
	}
	*out = mb;
	return 0;
}

void correu_maildir_backend_free(correu_maildir_backend *mb)
{
	if (!mb)
		return;
	correu__mdbe_pool_free(mb->pool);
	correu__free(mb->alloc, mb->root, mb->root_len + 1);
	correu__free(mb->alloc, mb, sizeof(*mb));
}

int correu_maildir_backend_dispatch(correu_maildir_backend *mb)
{
	if (!mb)
		return CORREU_ERR_ARG;
	if (mb->pool)
		correu__mdbe_pool_dispatch(mb->pool);
	return 0;
}

int correu_maildir_backend_dispatch_hook(void *mb)
{
	return correu_maildir_backend_dispatch(mb);
}

/* A user name that is safe as one path component. */
static bool safe_user(const char *p, size_t len)
{
	if (len == 0 || len > 255 || p[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i] == '/' || (unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return false;
	return true;
}

/*
 * Create the directories above a user's Maildir ("/var/mail/alice" for
 * "/var/mail/alice/Maildir") on first use, as Dovecot creates homes; the
 * Maildir store creates the Maildir itself.
 */
static int make_parents(char *path, uint32_t mode)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		struct stat st;

		*p = '\0';
		if (stat(path, &st) < 0 && mkdir(path, mode ? (mode_t)mode : 0700) < 0 &&
		    errno != EEXIST) {
			*p = '/';
			return CORREU_ERR_IO;
		}
		*p = '/';
	}
	return 0;
}

int correu__mdbe_open_user(correu_maildir_backend *mb, const char *user, size_t len,
                           correu_maildir **md_out)
{
	correu__buf path;
	size_t i = 0;
	int rc = 0;

	if (!safe_user(user, len))
		return CORREU_ERR_ARG;
	correu__buf_init(&path, mb->alloc, 4096);
	while (rc == 0 && i < mb->root_len) {
		if (mb->root[i] == '%' && i + 1 < mb->root_len && mb->root[i + 1] == 'u') {
			rc = correu__buf_append(&path, user, len);
			i += 2;
		} else {
			rc = correu__buf_append(&path, mb->root + i++, 1);
		}
	}
	if (rc == 0)
		rc = correu__buf_append(&path, "", 1);
	if (rc == 0)
		rc = make_parents((char *)path.data, mb->mset.dir_mode);
	if (rc == 0)
		rc = correu_maildir_open((const char *)path.data, path.len - 1, &mb->mset,
		                         mb->alloc, mb->logger, md_out);
	correu__buf_free(&path, false);
	return rc;
}

bool correu__mdbe_in_ranges(uint32_t uid, const uint32_t *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (uid >= r[2 * i] && uid <= r[2 * i + 1])
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Users                                                               */

static int auth_password(correu_store_req *req, const char *user, size_t ulen, const char *pw,
                         size_t plen, void *ud)
{
	return correu_passwd_backend()->auth_password(req, user, ulen, pw, plen,
	                                              (void *)MB(ud)->users);
}

static int auth_scram_keys(correu_store_req *req, uint32_t mech, const char *user, size_t ulen,
                           void *ud)
{
	return correu_passwd_backend()->auth_scram_keys(req, mech, user, ulen,
	                                                (void *)MB(ud)->users);
}

static int session_open(correu_store_req *req, const char *user, size_t len, void *ud)
{
	correu_maildir_backend *mb = ud;
	struct mdbe_session *s;
	int rc;

	/* With a password file, only its users have mail. */
	if (mb->users && correu_passwd_lookup(mb->users, user, len, NULL) < 0)
		return correu_store_complete(req, CORREU_ERR_NOT_FOUND);
	s = correu__calloc(mb->alloc, sizeof(*s));
	if (!s)
		return correu_store_complete(req, CORREU_ERR_NOMEM);
	s->mb = mb;
	rc = correu__mdbe_open_user(mb, user, len, &s->md);
	if (rc < 0) {
		correu__free(mb->alloc, s, sizeof(*s));
		return correu_store_complete(req, rc == CORREU_ERR_ARG ? CORREU_ERR_NOT_FOUND : rc);
	}
	return correu_store_complete_handle(req, s);
}

static int session_close(void *session, void *ud)
{
	struct mdbe_session *s = session;

	correu_maildir_free(s->md);
	correu__free(MB(ud)->alloc, s, sizeof(*s));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Folders                                                             */

/* Special use from the folder names Dovecot's default configuration uses. */
static uint32_t use_of(const char *name, size_t len)
{
	static const struct {
		const char *name;
		uint32_t use;
	} uses[] = {
		{ "Sent", CORREU_STORE_USE_SENT },       { "Drafts", CORREU_STORE_USE_DRAFTS },
		{ "Trash", CORREU_STORE_USE_TRASH },     { "Junk", CORREU_STORE_USE_JUNK },
		{ "Archive", CORREU_STORE_USE_ARCHIVE },
	};

	for (size_t i = 0; i < CORREU__ARRAY_LEN(uses); i++)
		if (strlen(uses[i].name) == len && memcmp(uses[i].name, name, len) == 0)
			return uses[i].use;
	return 0;
}

/* Names collected from the store, each followed by a NUL. */
struct names {
	correu__buf buf;
	size_t count;
};

static int collect(const char *name, size_t len, void *ud)
{
	struct names *n = ud;
	int rc = correu__buf_append(&n->buf, name, len);

	if (rc == 0)
		rc = correu__buf_append(&n->buf, "", 1);
	n->count += rc == 0;
	return rc;
}

static bool has_name(const struct names *n, const char *name, size_t len, bool prefix)
{
	size_t pos = 0;

	while (pos < n->buf.len) {
		const char *p = (const char *)n->buf.data + pos;
		size_t l = strlen(p);

		if (!prefix && l == len && memcmp(p, name, len) == 0)
			return true;
		/* A child: "name." followed by more. */
		if (prefix && l > len + 1 && memcmp(p, name, len) == 0 && p[len] == '.')
			return true;
		pos += l + 1;
	}
	return false;
}

static int list(correu_store_req *req, void *session, const char *pat, size_t plen, uint32_t flags,
                void *ud)
{
	struct mdbe_session *s = session;
	struct names all = { { 0 }, 0 }, subs = { { 0 }, 0 };
	size_t pos = 0;
	int rc;

	(void)pat; /* the core filters by pattern */
	(void)plen;
	correu__buf_init(&all.buf, MB(ud)->alloc, SIZE_MAX);
	correu__buf_init(&subs.buf, MB(ud)->alloc, SIZE_MAX);
	rc = correu_maildir_folder_list(s->md, collect, &all);
	if (rc == 0)
		rc = correu_maildir_subscriptions(s->md, collect, &subs);
	while (rc == 0 && pos < all.buf.len) {
		const char *name = (const char *)all.buf.data + pos;
		size_t len = strlen(name);
		bool sub = has_name(&subs, name, len, false);
		correu_store_mailbox m = { .version = CORREU_STORE_MAILBOX_VERSION,
			                   .delimiter = '.',
			                   .name = name,
			                   .name_len = len };

		pos += len + 1;
		if ((flags & CORREU_STORE_LIST_SUBSCRIBED) && !sub)
			continue;
		m.attrs = has_name(&all, name, len, true) ? CORREU_STORE_MBOX_HASCHILDREN
		                                          : CORREU_STORE_MBOX_HASNOCHILDREN;
		m.attrs |= (sub ? CORREU_STORE_MBOX_SUBSCRIBED : 0) | use_of(name, len);
		rc = correu_store_emit_mailbox(req, &m);
	}
	correu__buf_free(&all.buf, false);
	correu__buf_free(&subs.buf, false);
	return correu_store_complete(req, rc);
}

static int create(correu_store_req *req, void *session, const char *name, size_t len, uint32_t use,
                  void *ud)
{
	struct mdbe_session *s = session;

	(void)ud;
	/* Special use comes from the name here, so only a matching one works. */
	if (use && use != use_of(name, len))
		return correu_store_complete(req, CORREU_ERR_UNSUPPORTED);
	return correu_store_complete(req, correu_maildir_folder_create(s->md, name, len));
}

static int delete_mailbox(correu_store_req *req, void *session, const char *name, size_t len,
                          void *ud)
{
	struct mdbe_session *s = session;

	(void)ud;
	return correu_store_complete(req, correu_maildir_folder_delete(s->md, name, len));
}

static int rename_mailbox(correu_store_req *req, void *session, const char *from, size_t flen,
                          const char *to, size_t tlen, void *ud)
{
	struct mdbe_session *s = session;

	(void)ud;
	return correu_store_complete(req,
	                             correu_maildir_folder_rename(s->md, from, flen, to, tlen));
}

static int subscribe(correu_store_req *req, void *session, const char *name, size_t len,
                     uint32_t on, void *ud)
{
	struct mdbe_session *s = session;

	(void)ud;
	return correu_store_complete(req, correu_maildir_subscribe(s->md, name, len, (int)on));
}

static int status(correu_store_req *req, void *session, const char *name, size_t len,
                  uint32_t items, void *ud)
{
	struct mdbe_session *s = session;
	correu_store_status st = { .version = CORREU_STORE_STATUS_VERSION };
	correu_maildir_box *box;
	int rc = correu_maildir_box_open(s->md, name, len, &box);

	(void)items; /* all items cost one scan */
	(void)ud;
	if (rc < 0)
		return correu_store_complete(req, rc);
	st.items = CORREU_STORE_STATUS_ALL;
	st.messages = (uint32_t)correu_maildir_box_count(box);
	st.uidnext = correu_maildir_box_uidnext(box);
	st.uidvalidity = correu_maildir_box_uidvalidity(box);
	st.highestmodseq = correu_maildir_box_highestmodseq(box);
	for (size_t i = 0; rc == 0 && i < st.messages; i++) {
		correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };
		uint64_t v;

		rc = correu_maildir_box_message(box, i, &m);
		v = m.vsize;
		if (rc == 0 && v == 0)
			rc = correu__mdbe_vsize(box, m.uid, &v);
		st.unseen += rc == 0 && !(m.flags & CORREU_MAILDIR_FLAG_SEEN);
		st.recent += rc == 0 && m.is_new;
		st.size += v;
	}
	correu_maildir_box_close(box);
	if (rc < 0)
		return correu_store_complete(req, rc);
	return correu_store_complete_status(req, &st);
}

int correu_maildir_backend_table(const correu_maildir_backend *mb, correu_store_backend *t)
{
	if (!mb || !t)
		return CORREU_ERR_ARG;
	*t = (correu_store_backend){
		.version = CORREU_STORE_BACKEND_VERSION,
		.features = CORREU_STORE_FEATURE_MODSEQ | CORREU_STORE_FEATURE_SPECIAL_USE |
		            CORREU_STORE_FEATURE_UIDPLUS,
		.auth_password = mb->users ? auth_password : NULL,
		.auth_scram_keys = mb->users ? auth_scram_keys : NULL,
		.session_open = session_open,
		.session_close = session_close,
		.list = list,
		.create = create,
		.delete_mailbox = delete_mailbox,
		.rename = rename_mailbox,
		.subscribe = subscribe,
		.status = status,
		.select = correu__mdbe_select,
		.box_close = correu__mdbe_box_close,
		.sync = correu__mdbe_sync,
		.message_open = correu__mdbe_message_open,
		.stream_read = correu__mdbe_stream_read,
		.stream_close = correu__mdbe_stream_close,
		.set_flags = correu__mdbe_set_flags,
		.expunge = correu__mdbe_expunge,
		.copy = correu__mdbe_copy,
		.move = correu__mdbe_move,
		.append_begin = correu__mdbe_append_begin,
		.append_write = correu__mdbe_append_write,
		.append_commit = correu__mdbe_append_commit,
		.append_abort = correu__mdbe_append_abort,
		.deliver_begin = correu__mdbe_deliver_begin,
		.deliver_rcpt = correu__mdbe_deliver_rcpt,
		.deliver_data = correu__mdbe_deliver_data,
		.deliver_commit = correu__mdbe_deliver_commit,
		.deliver_abort = correu__mdbe_deliver_abort,
	};
	return 0;
}
