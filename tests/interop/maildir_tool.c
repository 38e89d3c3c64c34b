/*
 * A small command-line front end to the Maildir store, for the Dovecot
 * interop test (tests/interop/dovecot_maildir.sh):
 *
 *   maildir_tool ROOT list FOLDER           UIDVALIDITY, then one line per
 *                                           message: uid flags keywords size
 *   maildir_tool ROOT deliver FOLDER FILE   deliver FILE, print its UID
 *   maildir_tool ROOT flag FOLDER UID KEYWORD   add \Answered and KEYWORD
 *   maildir_tool ROOT mkdir FOLDER          create a folder
 *   maildir_tool ROOT folders               list folders
 *   maildir_tool ROOT subscriptions         list subscriptions
 *   maildir_tool ROOT lmtp TEMPLATE USER FILE...
 *       deliver every FILE at once to USER through the default backend
 *       (maildir_backend.h, Maildirs at TEMPLATE) with commit workers, as
 *       LMTP does: no UID until the next reader; prints one reply code a FILE
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correu/maildir.h"
#include "correu/maildir_backend.h"

static int die(const char *what, int rc)
{
	fprintf(stderr, "maildir_tool: %s: %s\n", what, correu_err_name(rc));
	return 1;
}

static int print_name(const char *name, size_t len, void *ud)
{
	(void)ud;
	printf("%.*s\n", (int)len, name);
	return 0;
}

static void print_flags(uint32_t f)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{CORREU_MAILDIR_FLAG_SEEN, "\\Seen"},       {CORREU_MAILDIR_FLAG_ANSWERED, "\\Answered"},
		{CORREU_MAILDIR_FLAG_FLAGGED, "\\Flagged"}, {CORREU_MAILDIR_FLAG_DELETED, "\\Deleted"},
		{CORREU_MAILDIR_FLAG_DRAFT, "\\Draft"},     {CORREU_MAILDIR_FLAG_FORWARDED, "$Forwarded"},
	};
	int any = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (f & names[i].bit) {
			printf("%s%s", any ? "," : "", names[i].name);
			any = 1;
		}
	}
	if (!any)
		printf("-");
}

static int list(correu_maildir_box *box)
{
	printf("UIDVALIDITY %u\n", correu_maildir_box_uidvalidity(box));
	for (size_t i = 0; i < correu_maildir_box_count(box); i++) {
		correu_maildir_msg m = {.version = CORREU_MAILDIR_MSG_VERSION};
		int any = 0;

		if (correu_maildir_box_message(box, i, &m) != 0)
			return 1;
		printf("%u ", m.uid);
		print_flags(m.flags);
		printf(" ");
		for (unsigned k = 0; k < CORREU_MAILDIR_MAX_KEYWORDS; k++) {
			const char *name;
			size_t len;

			if ((m.keywords & (1u << k)) &&
			    correu_maildir_box_keyword_name(box, k, &name, &len) == 0) {
				printf("%s%.*s", any ? "," : "", (int)len, name);
				any = 1;
			}
		}
		printf("%s %llu\n", any ? "" : "-", (unsigned long long)m.size);
	}
	return 0;
}

static int deliver(correu_maildir_box *box, const char *file)
{
	FILE *f = fopen(file, "rb");
	correu_maildir_delivery *d;
	uint8_t buf[4096];
	uint32_t uid;
	size_t n;
	int rc;

	if (!f) {
		perror(file);
		return 1;
	}
	rc = correu_maildir_delivery_begin(box, &d);
	if (rc < 0) {
		fclose(f);
		return die("begin", rc);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && rc == 0)
		rc = correu_maildir_delivery_write(d, buf, n);
	fclose(f);
	if (rc < 0) {
		correu_maildir_delivery_abort(d);
		return die("write", rc);
	}
	rc = correu_maildir_delivery_commit(d, &uid);
	if (rc < 0)
		return die("commit", rc);
	printf("%u\n", uid);
	return 0;
}

/* ---- lmtp: the default backend's delivery, every file in flight ---- */

struct lmtp_msg {
	correu_store_delivery *d;
	correu_store_req *req;
	uint32_t code; /* 0 until answered */
};

static int wake_pipe(void *ud)
{
	(void)!write(*(int *)ud, "w", 1);
	return 0;
}

static int lmtp_done(correu_store_req *req, void *ud)
{
	struct lmtp_msg *m = ud;
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	m->code = correu_store_req_result(req, &r) == 0 && r.reply_code ? r.reply_code : 1;
	return 0;
}

static const correu_store_hooks lmtp_hooks = { .version = CORREU_STORE_HOOKS_VERSION,
	                                       .done = lmtp_done };

/* One step of a delivery on a fresh request; 0 or the failure. */
static int lmtp_step(correu_store *st, struct lmtp_msg *m, int op, const char *arg, size_t len)
{
	correu_store_envelope env = { .version = CORREU_STORE_ENVELOPE_VERSION,
		                      .flags = CORREU_STORE_ENV_LMTP,
		                      .mail_from = "tool@localhost",
		                      .mail_from_len = 14 };
	correu_store_rcpt rcpt = { .version = CORREU_STORE_RCPT_VERSION,
		                   .address = arg,
		                   .address_len = len };
	correu_store_req *req;
	int rc = correu_store_req_new(st, &lmtp_hooks, m, &req);

	if (rc < 0)
		return rc;
	if (op == 'B' && (rc = correu_store_deliver_begin(req, &env)) == 0)
		rc = correu_store_req_take_delivery(req, &m->d);
	if (op == 'R')
		rc = correu_store_deliver_rcpt(req, m->d, &rcpt);
	if (op == 'D')
		rc = correu_store_deliver_data(req, m->d, (const uint8_t *)arg, len);
	if (op == 'C') {
		m->req = req; /* freed once answered */
		return correu_store_deliver_commit(req, m->d);
	}
	correu_store_req_free(req);
	return rc;
}

static int lmtp(const char *template, const char *user, char **files, int n)
{
	correu_maildir_backend_config cfg = { .version = CORREU_MAILDIR_BACKEND_CONFIG_VERSION,
		                              .root = template,
		                              .commit_threads = 2,
		                              .wake = wake_pipe };
	struct lmtp_msg *m = calloc((size_t)n, sizeof(*m));
	correu_maildir_backend *mb = NULL;
	correu_store_backend table;
	correu_store *st = NULL;
	int fds[2], rc, left = n;

	if (!m || pipe(fds) != 0)
		return die("lmtp", CORREU_ERR_NOMEM);
	cfg.wake_userdata = &fds[1];
	rc = correu_maildir_backend_new(&cfg, NULL, NULL, &mb);
	if (rc == 0)
		rc = correu_maildir_backend_table(mb, &table);
	if (rc == 0)
		rc = correu_store_new(&table, mb, NULL, NULL, &st);
	for (int i = 0; rc == 0 && i < n; i++) {
		char body[65536];
		FILE *f = fopen(files[i], "rb");
		size_t len = f ? fread(body, 1, sizeof(body), f) : 0;

		if (f)
			fclose(f);
		rc = f ? lmtp_step(st, &m[i], 'B', NULL, 0) : CORREU_ERR_IO;
		if (rc == 0)
			rc = lmtp_step(st, &m[i], 'R', user, strlen(user));
		if (rc == 0)
			rc = lmtp_step(st, &m[i], 'D', body, len);
		if (rc == 0)
			rc = lmtp_step(st, &m[i], 'C', NULL, 0);
		rc = rc == CORREU_PAUSE ? 0 : rc < 0 ? rc : CORREU_ERR_INTERNAL;
	}
	/* The event loop: answers come back on the loop thread (at most 30 s). */
	for (int turns = 0; rc == 0 && left && turns < 3000; turns++) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		char buf[64];

		if (poll(&p, 1, 10) == 1)
			(void)!read(fds[0], buf, sizeof(buf));
		rc = correu_maildir_backend_dispatch(mb);
		left = 0;
		for (int i = 0; i < n; i++)
			left += !m[i].code;
	}
	for (int i = 0; i < n; i++) {
		if (rc == 0 && !left)
			printf("%u\n", m[i].code);
		correu_store_req_free(m[i].req);
		correu_store_delivery_close(m[i].d);
	}
	correu_store_free(st);
	correu_maildir_backend_free(mb);
	close(fds[0]);
	close(fds[1]);
	free(m);
	if (rc == 0 && left)
		rc = CORREU_ERR_TIMEOUT;
	return rc < 0 ? die("lmtp", rc) : 0;
}

int main(int argc, char **argv)
{
	correu_maildir *md;
	correu_maildir_box *box = NULL;
	int rc, ret = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: maildir_tool ROOT COMMAND ...\n");
		return 2;
	}
	rc = correu_maildir_open(argv[1], strlen(argv[1]), NULL, NULL, NULL, &md);
	if (rc < 0)
		return die("open", rc);
	const char *cmd = argv[2];
	if (!strcmp(cmd, "folders")) {
		rc = correu_maildir_folder_list(md, print_name, NULL);
	} else if (!strcmp(cmd, "subscriptions")) {
		rc = correu_maildir_subscriptions(md, print_name, NULL);
	} else if (!strcmp(cmd, "lmtp") && argc >= 6) {
		ret = lmtp(argv[3], argv[4], argv + 5, argc - 5);
	} else if (!strcmp(cmd, "mkdir") && argc == 4) {
		rc = correu_maildir_folder_create(md, argv[3], strlen(argv[3]));
	} else if (argc >= 4) {
		rc = correu_maildir_box_open(md, argv[3], strlen(argv[3]), &box);
		if (rc == 0 && !strcmp(cmd, "list") && argc == 4) {
			ret = list(box);
		} else if (rc == 0 && !strcmp(cmd, "deliver") && argc == 5) {
			ret = deliver(box, argv[4]);
		} else if (rc == 0 && !strcmp(cmd, "flag") && argc == 6) {
			unsigned idx;

			rc = correu_maildir_box_keyword_index(box, argv[5], strlen(argv[5]), 1, &idx);
			if (rc == 0)
				rc = correu_maildir_box_update_flags(box, (uint32_t)strtoul(argv[4], NULL, 10),
				                                     CORREU_MAILDIR_FLAG_ANSWERED, 0,
				                                     1u << idx, 0);
		} else if (rc == 0) {
			ret = 2;
		}
	} else {
		ret = 2;
	}
	correu_maildir_box_close(box);
	correu_maildir_free(md);
	if (rc < 0)
		return die(cmd, rc);
	if (ret == 2)
		fprintf(stderr, "maildir_tool: bad command\n");
	return ret;
}
