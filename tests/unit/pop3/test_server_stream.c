/*
 * The POP3 server core over the default Maildir backend in a temporary
 * directory: a 2 MB message with dot-led lines and LF line ends on disk
 * comes out of RETR whole, CRLF, dot-stuffed, while the core never holds
 * more than a few chunks of it, however slowly the client reads; TOP
 * sends exactly the lines asked for. RETR then QUIT leaves the file in
 * cur/ with the S flag; TOP, or RETR without QUIT, leaves it unread.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correu/maildir_backend.h"
#include "correu/pop3_server.h"

#define MAX_CHUNK 4096
#define LINES 30000 /* 30000 lines of 70 characters: about 2 MB */

struct fixture {
	char dir[64];
	correu_maildir_backend *mb;
	correu_store_backend table;
	correu_store *store;
	correu_pop3_service *svc;
	const correu_server_core *core;
	void *sess;
	char *expect; /* the message as POP3 sends it, CRLF, unstuffed */
	size_t expect_len;
	size_t peak;  /* most output the core offered at once */
};

/* Anyone may log in: this test is about messages, not passwords. */
static int any_password(correu_store_req *req, const char *user, size_t ulen, const char *pw,
                        size_t plen, void *ud)
{
	(void)user;
	(void)ulen;
	(void)pw;
	(void)plen;
	(void)ud;
	return correu_store_complete_user(req, NULL, 0);
}

static void write_message(struct fixture *f)
{
	char path[256], line[80];
	FILE *fp;

	f->expect = malloc((size_t)LINES * 80 + 256);
	cr_assert_not_null(f->expect);
	f->expect_len = 0;
	snprintf(path, sizeof(path), "%s/u/Maildir/new/1700000000.M1P1.test", f->dir);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs("Subject: big\nX-Test: stream\n\n", fp);
	f->expect_len += (size_t)sprintf(f->expect, "Subject: big\r\nX-Test: stream\r\n\r\n");
	for (int i = 0; i < LINES; i++) {
		/* Every seventh line starts with a dot, some are only a dot. */
		if (i % 700 == 3)
			snprintf(line, sizeof(line), ".");
		else
			snprintf(line, sizeof(line), "%s%06d %-60s", i % 7 ? "" : ".", i, "text");
		fprintf(fp, "%s\n", line);
		f->expect_len += (size_t)sprintf(f->expect + f->expect_len, "%s\r\n", line);
	}
	cr_assert_eq(fclose(fp), 0);
}

static void setup(struct fixture *f)
{
	correu_maildir_backend_config mc = { .version = CORREU_MAILDIR_BACKEND_CONFIG_VERSION };
	correu_pop3_server_settings set;
	correu_server_peer peer = { .version = CORREU_SERVER_PEER_VERSION,
		                    .flags = CORREU_SERVER_PEER_TLS,
		                    .conn_id = 9,
		                    .addr = "192.0.2.1",
		                    .local_addr = "192.0.2.110" };
	char root[128], sub[160];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/correu-pop3d-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	for (const char *d = "u\0u/Maildir\0u/Maildir/new\0u/Maildir/cur\0u/Maildir/tmp\0"; *d;
	     d += strlen(d) + 1) {
		snprintf(sub, sizeof(sub), "%s/%s", f->dir, d);
		cr_assert_eq(mkdir(sub, 0700), 0);
	}
	write_message(f);
	snprintf(root, sizeof(root), "%s/%%u/Maildir", f->dir);
	mc.root = root;
	cr_assert_eq(correu_maildir_backend_new(&mc, NULL, NULL, &f->mb), 0);
	cr_assert_eq(correu_maildir_backend_table(f->mb, &f->table), 0);
	f->table.auth_password = any_password;
	cr_assert_eq(correu_store_new(&f->table, f->mb, NULL, NULL, &f->store), 0);
	cr_assert_eq(correu_pop3_server_settings_init(&set), 0);
	set.max_chunk = MAX_CHUNK;
	set.max_output = 4 * MAX_CHUNK;
	cr_assert_eq(correu_pop3_service_new(&set, f->store, NULL, &f->svc), 0);
	f->core = correu_pop3_server_core();
	cr_assert_eq(f->core->open(&peer, NULL, &f->sess, f->svc), 0);
}

static void teardown(struct fixture *f)
{
	char cmd[128];

	f->core->close(f->sess);
	cr_assert_eq(correu_store_live_requests(f->store), 0);
	correu_pop3_service_free(f->svc);
	correu_store_free(f->store);
	correu_maildir_backend_free(f->mb);
	free(f->expect);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	cr_assert_eq(system(cmd), 0);
}

/* Everything the core writes until it waits for the next command, taken
 * `step` bytes at a time as a slow client would. */
static char *talk(struct fixture *f, const char *cmd, size_t step, size_t *len_out)
{
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap);
	const uint8_t *p;
	size_t n;

	cr_assert_not_null(out);
	if (cmd)
		cr_assert_eq(f->core->recv((const uint8_t *)cmd, strlen(cmd), 0, f->sess),
		             (int)strlen(cmd));
	while (f->core->send_buf(&p, &n, f->sess) == 0 && n) {
		if (n > f->peak)
			f->peak = n;
		n = n < step ? n : step;
		if (len + n + 1 > cap) {
			cap *= 2;
			out = realloc(out, cap);
			cr_assert_not_null(out);
		}
		memcpy(out + len, p, n);
		len += n;
		cr_assert_eq(f->core->send_ack(n, f->sess), 0);
	}
	out[len] = '\0';
	*len_out = len;
	return out;
}

/* Undo the byte-stuffing of a multi-line answer after its status line. */
static size_t unstuff(char *p, size_t len)
{
	size_t o = 0;
	bool bol = true;

	for (size_t i = 0; i < len; i++) {
		if (bol && p[i] == '.' && i + 1 < len && p[i + 1] == '.')
			i++;
		bol = p[i] == '\n';
		p[o++] = p[i];
	}
	return o;
}

static void login(struct fixture *f)
{
	size_t n;

	free(talk(f, NULL, SIZE_MAX, &n));
	free(talk(f, "USER u\r\n", SIZE_MAX, &n));
	free(talk(f, "PASS x\r\n", SIZE_MAX, &n));
}

Test(server_stream, retr_big_message_bounded)
{
	struct fixture f;
	char status[64], *out, *body;
	size_t len, blen;

	setup(&f);
	login(&f);
	out = talk(&f, "RETR 1\r\n", 1000, &len);
	snprintf(status, sizeof(status), "+OK %zu octets\r\n", f.expect_len);
	cr_assert(strncmp(out, status, strlen(status)) == 0, "%.40s", out);
	body = out + strlen(status);
	blen = len - strlen(status);
	cr_assert_geq(blen, 5);
	cr_assert(memcmp(body + blen - 5, "\r\n.\r\n", 5) == 0);
	blen = unstuff(body, blen - 3);
	cr_assert_eq(blen, f.expect_len);
	cr_assert(memcmp(body, f.expect, blen) == 0);
	/* A 2 MB message, never more than a few chunks in the core. */
	cr_assert_leq(f.peak, 3 * MAX_CHUNK + 16, "peak %zu", f.peak);
	free(out);
	teardown(&f);
}

Test(server_stream, top_counts_lines_exactly)
{
	struct fixture f;
	const char *want = "+OK Top of message follows\r\nSubject: big\r\nX-Test: stream\r\n\r\n"
	                   "..000000 text                                                        \r\n"
	                   "000001 text                                                        \r\n"
	                   ".\r\n";
	char *out;
	size_t len;

	setup(&f);
	login(&f);
	out = talk(&f, "TOP 1 2\r\n", 7, &len);
	cr_assert_str_eq(out, want);
	free(out);
	out = talk(&f, "UIDL 1\r\n", SIZE_MAX, &len);
	cr_assert_eq(len, strlen("+OK 1 0000000100000000\r\n"), "%s", out);
	cr_assert(strncmp(out, "+OK 1 00000001", 14) == 0, "%s", out);
	for (size_t i = 14; i < 22; i++)
		cr_assert(strchr("0123456789abcdef", out[i]) != NULL, "%s", out);
	free(out);
	teardown(&f);
}

/* The message's file name, wherever it is: "new/<name>" or "cur/<name>";
 * the maildrop holds exactly one. */
static void message_file(struct fixture *f, char *out, size_t cap)
{
	int found = 0;

	for (const char *sub = "new\0cur\0"; *sub; sub += 4) {
		char path[128];
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "%s/u/Maildir/%s", f->dir, sub);
		d = opendir(path);
		cr_assert_not_null(d);
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(out, cap, "%s/%s", sub, e->d_name);
			found++;
		}
		closedir(d);
	}
	cr_assert_eq(found, 1, "%d message files", found);
}

/* Whether the Maildir info (":2," and flag letters) has S. */
static bool seen_on_disk(struct fixture *f)
{
	char name[512];
	const char *info;

	message_file(f, name, sizeof(name));
	info = strstr(name, ":2,");
	return info && strchr(info + 3, 'S') != NULL;
}

static void quit(struct fixture *f)
{
	char *out;
	size_t n;

	out = talk(f, "QUIT\r\n", SIZE_MAX, &n);
	cr_assert_str_eq(out, "+OK Logging out\r\n");
	free(out);
}

Test(server_stream, retr_sets_seen_at_quit)
{
	struct fixture f;
	char name[512];
	size_t n;

	setup(&f);
	login(&f);
	free(talk(&f, "RETR 1\r\n", SIZE_MAX, &n));
	cr_assert(!seen_on_disk(&f), "\\Seen before QUIT");
	quit(&f);
	message_file(&f, name, sizeof(name));
	cr_assert(strncmp(name, "cur/", 4) == 0, "%s", name);
	cr_assert(seen_on_disk(&f), "%s", name);
	teardown(&f);
}

Test(server_stream, top_leaves_unseen)
{
	struct fixture f;
	size_t n;

	setup(&f);
	login(&f);
	free(talk(&f, "TOP 1 5\r\n", SIZE_MAX, &n));
	quit(&f);
	cr_assert(!seen_on_disk(&f));
	teardown(&f);
}

Test(server_stream, retr_without_quit_leaves_unseen)
{
	struct fixture f;
	size_t n;

	setup(&f);
	login(&f);
	free(talk(&f, "RETR 1\r\n", SIZE_MAX, &n));
	/* The connection drops: the runtime closes the session. */
	f.core->close(f.sess);
	f.sess = NULL;
	cr_assert(!seen_on_disk(&f));
	teardown(&f);
}
