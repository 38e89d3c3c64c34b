/*
 * correu-fetch: download new mail from a POP3 server into a local Maildir,
 * like fetchmail, through correu's blocking POP3 session and its Maildir
 * store. Messages are streamed from the server into the Maildir in bounded
 * chunks, stored byte for byte as the server sent them (CRLF line ends).
 *
 *   correu-fetch -H pop.example.org -u alice ~/Maildir
 *   correu-fetch -H pop.example.org -u alice --keep --tls starttls -p 110 ~/Maildir
 *
 * Nothing is fetched twice and nothing is lost, whenever the program or
 * the connection dies: for each message, in this order,
 *   0. its unique id is saved in the state file as pending, with the
 *      local folder's UIDNEXT (the file is replaced atomically);
 *   1. the message is stored (written to tmp/, fsynced, renamed into new/,
 *      the directory fsynced) by the Maildir store;
 *   2. its unique id is added to the state file as fetched;
 *   3. only then, unless --keep, it is marked deleted (DELE), and the
 *      server removes it at QUIT (RFC 1939 §6).
 * On the next run, ids in the state file are skipped (and deleted if they
 * are still there). A crash between steps 1 and 2 leaves the message
 * pending: it is stored again only if no local message since the mark
 * has its bytes (recover.c), so even that window gives no duplicate.
 *
 * The password comes from the CORREU_PASSWORD environment variable, never
 * from the command line (where other users could read it).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correu/maildir.h"
#include "correu/pop3.h"
#include "recover.h"
#include "uidstate.h"

struct opts {
	const char *host, *user, *maildir, *state, *ca_file, *ca_dir;
	uint16_t port;
	uint32_t tls_mode, policy;
	int keep, plaintext, verbose;
};

/* One entry of the server's UIDL listing. */
struct entry {
	uint32_t msg;
	char uid[71];
};

struct listing {
	struct entry *e;
	size_t n, cap;
};

static void usage(FILE *f)
{
	fputs("usage: correu-fetch -H host -u user [options] MAILDIR\n"
	      "  -H, --host HOST        POP3 server (required)\n"
	      "  -p, --port PORT        port (default 995; 110 with --tls starttls or none)\n"
	      "      --tls MODE         implicit (default), starttls (required),\n"
	      "                         opportunistic or none\n"
	      "  -u, --user USER        log in as USER; password in $CORREU_PASSWORD\n"
	      "  -k, --keep             leave the messages on the server\n"
	      "      --state FILE       unique ids already fetched\n"
	      "                         (default MAILDIR/correu-fetch-uidl.USER@HOST)\n"
	      "      --ca-file FILE     trust the CA certificates in FILE\n"
	      "      --ca-dir DIR       trust the CA certificates in DIR\n"
	      "      --allow-plaintext-auth  send the password without TLS (insecure)\n"
	      "  -v, --verbose          log the protocol to standard error\n",
	      f);
}

static int parse_tls(const char *m, struct opts *o)
{
	if (strcmp(m, "implicit") == 0)
		o->tls_mode = CORREU_POP3_SESSION_IMPLICIT;
	else if (strcmp(m, "starttls") == 0)
		o->policy = CORREU_POP3_TLS_REQUIRED;
	else if (strcmp(m, "opportunistic") == 0)
		o->policy = CORREU_POP3_TLS_OPPORTUNISTIC;
	else if (strcmp(m, "none") == 0)
		o->policy = CORREU_POP3_TLS_NONE;
	else
		return -1;
	if (strcmp(m, "implicit") != 0)
		o->tls_mode = CORREU_POP3_SESSION_STLS;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "tls", required_argument, NULL, 'T' },
		{ "user", required_argument, NULL, 'u' },
		{ "keep", no_argument, NULL, 'k' },
		{ "state", required_argument, NULL, 'S' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "ca-dir", required_argument, NULL, 'D' },
		{ "allow-plaintext-auth", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long port = 0;
	int ch;

	memset(o, 0, sizeof(*o));
	o->tls_mode = CORREU_POP3_SESSION_IMPLICIT;
	o->policy = CORREU_POP3_TLS_REQUIRED;
	while ((ch = getopt_long(argc, argv, "H:p:u:kvh", longs, NULL)) != -1) {
		switch (ch) {
		case 'H': o->host = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		case 'T':
			if (parse_tls(optarg, o) < 0)
				return -1;
			break;
		case 'u': o->user = optarg; break;
		case 'k': o->keep = 1; break;
		case 'S': o->state = optarg; break;
		case 'C': o->ca_file = optarg; break;
		case 'D': o->ca_dir = optarg; break;
		case 'P': o->plaintext = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind + 1 != argc || !o->host || !o->user || port < 0 || port > 65535)
		return -1;
	o->maildir = argv[optind];
	o->port = port ? (uint16_t)port : (o->tls_mode == CORREU_POP3_SESSION_IMPLICIT ? 995 : 110);
	return 0;
}

static void log_line(int level, const char *msg, size_t len, void *userdata)
{
	(void)level;
	(void)userdata;
	fprintf(stderr, "correu-fetch: %.*s\n", (int)len, msg);
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "correu-fetch: %s: %s\n", what, correu_strerror(rc));
	return 1;
}

static int on_uid(uint32_t msg, const char *uid, size_t len, void *userdata)
{
	struct listing *l = userdata;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct entry *e = realloc(l->e, cap * sizeof(*e));

		if (!e)
			return CORREU_ERR_NOMEM;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n].msg = msg;
	memcpy(l->e[l->n].uid, uid, len); /* 1..70 bytes: the core checks */
	l->e[l->n].uid[len] = '\0';
	l->n++;
	return 0;
}

static int to_maildir(const uint8_t *data, size_t len, void *userdata)
{
	return correu_maildir_delivery_write(userdata, data, len);
}

/* Step 1: store one message durably; 0 only once it is in new/. */
static int store(correu_pop3_session *s, correu_maildir_box *box, uint32_t msg)
{
	correu_maildir_delivery *d;
	int rc = correu_maildir_delivery_begin(box, &d);

	if (rc < 0)
		return rc;
	rc = correu_pop3_session_retrieve(s, msg, to_maildir, d);
	if (rc < 0) {
		correu_maildir_delivery_abort(d);
		return rc;
	}
	return correu_maildir_delivery_commit(d, NULL);
}

struct run {
	const struct opts *o;
	correu_pop3_session *s;
	correu_maildir_box *box;
	struct uidstate st;
	struct listing l;
	size_t fetched, deleted, recovered;
};

static int save_state(struct run *r)
{
	if (uidstate_save(&r->st) < 0) {
		perror("correu-fetch: saving the state file");
		return 1;
	}
	return 0;
}

/* Steps 0 to 2 for a message not fetched yet. */
static int fetch_one(struct run *r, const struct entry *e)
{
	int rc = 0;

	if (strcmp(r->st.pending.uid, e->uid) == 0) {
		rc = recover_pending(r->s, e->msg, r->box, &r->st.pending);
		if (rc < 0)
			return fail("checking the message of an interrupted run", rc);
		r->recovered += (size_t)rc;
	}
	if (rc == 0) {
		uidstate_set_pending(&r->st, e->uid, correu_maildir_box_uidvalidity(r->box),
		                     correu_maildir_box_uidnext(r->box));
		if (save_state(r))
			return 1;
		rc = store(r->s, r->box, e->msg);
		if (rc < 0)
			return fail("storing a message", rc);
		r->fetched++;
	}
	uidstate_set_pending(&r->st, "", 0, 0);
	if (uidstate_add(&r->st, e->uid, strlen(e->uid)) < 0) {
		fputs("correu-fetch: out of memory\n", stderr);
		return 1;
	}
	return save_state(r);
}

/* Steps 1 to 3 for every message on the server. */
static int fetch_all(struct run *r)
{
	int rc;

	for (size_t i = 0; i < r->l.n; i++) {
		const struct entry *e = &r->l.e[i];

		if (!uidstate_has(&r->st, e->uid, strlen(e->uid))) {
			rc = fetch_one(r, e);
			if (rc)
				return rc;
		}
		if (!r->o->keep) {
			rc = correu_pop3_session_delete(r->s, e->msg);
			if (rc < 0)
				return fail("marking a message deleted", rc);
			r->deleted++;
		}
	}
	return 0;
}

/*
 * Forget the ids the server no longer has: those deleted now (once QUIT
 * committed the deletions) and those gone by other means. The list stays
 * as long as the mailbox, not the mail ever fetched.
 */
static int prune(struct run *r)
{
	struct uidstate keep;
	int rc = 0;

	memset(&keep, 0, sizeof(keep));
	keep.path = r->st.path;
	/* Without --keep every listed message was deleted at QUIT. */
	for (size_t i = 0; r->o->keep && rc == 0 && i < r->l.n; i++)
		if (uidstate_has(&r->st, r->l.e[i].uid, strlen(r->l.e[i].uid)))
			rc = uidstate_add(&keep, r->l.e[i].uid, strlen(r->l.e[i].uid));
	if (rc == 0)
		rc = uidstate_save(&keep);
	keep.path = NULL;
	uidstate_free(&keep);
	return rc;
}

static int open_session(const struct opts *o, correu_tls_config *tls, correu_pop3_session **s)
{
	static correu_logger logger = { CORREU_LOGGER_VERSION, CORREU_LOG_TRACE, log_line, NULL };
	correu_pop3_settings set;
	correu_pop3_session_options so;

	correu_pop3_settings_init(&set);
	set.tls_policy = o->policy;
	if (o->plaintext)
		set.flags |= CORREU_POP3_ALLOW_PLAINTEXT_AUTH;
	if (o->verbose)
		set.logger = &logger;
	correu_pop3_session_options_init(&so);
	so.tls_mode = o->tls_mode;
	so.tls = tls;
	so.settings = &set;
	return correu_pop3_session_open(o->host, o->port, &so, s);
}

static int make_tls(const struct opts *o, correu_tls_config **tls)
{
	int rc;

	*tls = NULL;
	if (!o->ca_file && !o->ca_dir)
		return 0; /* the session's default: the system's CAs */
	rc = correu_tls_config_new(CORREU_TLS_CLIENT, NULL, tls);
	if (rc == 0 && o->ca_file)
		rc = correu_tls_config_set_ca_file(*tls, o->ca_file);
	if (rc == 0 && o->ca_dir)
		rc = correu_tls_config_set_ca_dir(*tls, o->ca_dir);
	return rc;
}

static int run(struct run *r, const char *password)
{
	int rc = correu_pop3_session_login(r->s, r->o->user, password);

	if (rc < 0)
		return fail("login", rc);
	rc = correu_pop3_session_uidl(r->s, on_uid, &r->l);
	if (rc < 0)
		return fail("UIDL (the server must give unique ids)", rc);
	rc = fetch_all(r);
	if (rc)
		return rc;
	rc = correu_pop3_session_quit(r->s);
	if (rc < 0)
		return fail("QUIT (deletions not confirmed)", rc);
	if (prune(r) < 0) {
		perror("correu-fetch: saving the state file");
		return 1;
	}
	if (r->recovered)
		printf("%zu found stored by an interrupted run\n", r->recovered);
	printf("%zu fetched, %zu deleted, %zu left on the server\n", r->fetched, r->deleted,
	       r->l.n - r->deleted);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r;
	correu_tls_config *tls = NULL;
	correu_maildir *md = NULL;
	const char *password = getenv("CORREU_PASSWORD");
	char state[4096];
	int rc, status = 1;

	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	if (!password) {
		fputs("correu-fetch: set CORREU_PASSWORD\n", stderr);
		return 2;
	}
	memset(&r, 0, sizeof(r));
	r.o = &o;
	if (!o.state)
		snprintf(state, sizeof(state), "%s/correu-fetch-uidl.%s@%s", o.maildir, o.user,
		         o.host);
	rc = correu_maildir_open(o.maildir, strlen(o.maildir), NULL, NULL, NULL, &md);
	if (rc == 0)
		rc = correu_maildir_box_open(md, "INBOX", 5, &r.box);
	if (rc < 0) {
		fail(o.maildir, rc);
		goto out;
	}
	if (uidstate_load(&r.st, o.state ? o.state : state) < 0) {
		perror("correu-fetch: reading the state file");
		goto out;
	}
	rc = make_tls(&o, &tls);
	if (rc == 0)
		rc = open_session(&o, tls, &r.s);
	if (rc < 0) {
		fail(o.host, rc);
		goto out;
	}
	status = run(&r, password);
out:
	/* Without QUIT the server deletes nothing: a failed run loses nothing. */
	correu_pop3_session_free(r.s);
	correu_tls_config_free(tls);
	uidstate_free(&r.st);
	free(r.l.e);
	correu_maildir_box_close(r.box);
	correu_maildir_free(md);
	return status;
}
