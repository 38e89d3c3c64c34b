/* The Maildir store end to end over a temporary directory. */
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "failalloc.h"
#include "store_test.h"

static const char MSG1[] = "From: a@example.org\r\nSubject: one\r\n\r\nbody one\r\n";
static const char MSG2[] = "From: b@example.org\nSubject: bare LF\n\nline\nline\n";

static char root[64];
/* The store and the box a test works on; closed by teardown() if open. */
static correu_maildir *md;
static correu_maildir_box *box;

static void setup(void)
{
	st_mkdtemp(root, sizeof(root));
}

static void close_box(void)
{
	correu_maildir_box_close(box);
	box = NULL;
}

static void close_md(void)
{
	close_box();
	correu_maildir_free(md);
	md = NULL;
}

static void teardown(void)
{
	close_md();
	st_rm_tree(root);
}

static void open_inbox(void)
{
	md = st_open(root);
	box = st_box(md, "INBOX");
}

/* A new handle on INBOX, which reads the folder again. */
static void reopen_inbox(void)
{
	close_box();
	box = st_box(md, "INBOX");
}

static void path_of(char *buf, size_t cap, const char *rel)
{
	snprintf(buf, cap, "%s/%s", root, rel);
}

static size_t count_files(const char *rel)
{
	char p[4096];
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	path_of(p, sizeof(p), rel);
	d = opendir(p);
	cr_assert_not_null(d, "%s", p);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

TestSuite(box, .init = setup, .fini = teardown);

Test(box, deliver_list_read_and_reopen)
{
	correu_maildir_msg m;
	uint32_t uidv;
	time_t now = time(NULL);
	char *text;

	open_inbox();
	uidv = correu_maildir_box_uidvalidity(box);
	cr_assert_gt(uidv, 0);
	cr_assert_eq(correu_maildir_box_uidnext(box), 1);
	cr_assert_eq(st_deliver(box, MSG1, 1), 1);
	cr_assert_eq(st_deliver(box, MSG2, 5), 2);
	cr_assert_eq(st_deliver(box, MSG1, 4096), 3);
	cr_assert_eq(correu_maildir_box_count(box), 3);
	cr_assert_eq(correu_maildir_box_uidnext(box), 4);
	st_msg(box, 2, &m);
	cr_assert_eq(m.size, strlen(MSG2));
	cr_assert_eq(m.vsize, strlen(MSG2) + 5, "five bare LFs count as CRLF");
	cr_assert_eq(m.is_new, 1);
	cr_assert_eq(m.flags, 0);
	cr_assert(m.internal_date >= now - 5 && m.internal_date <= now + 5);
	cr_assert(strstr(m.filename, ",S=") && strstr(m.filename, ",W="), "%s", m.filename);
	st_msg(box, 1, &m);
	cr_assert_eq(m.vsize, m.size);
	text = st_read(box, 2);
	cr_assert_str_eq(text, MSG2);
	free(text);
	cr_assert_eq(count_files("new"), 3);
	cr_assert_eq(count_files("tmp"), 0);
	close_box();

	/* Another handle sees the same UIDs and UIDVALIDITY. */
	box = st_box(md, "inbox");
	cr_assert_eq(correu_maildir_box_uidvalidity(box), uidv);
	cr_assert_eq(correu_maildir_box_count(box), 3);
	text = st_read(box, 3);
	cr_assert_str_eq(text, MSG1);
	free(text);
	cr_assert_eq(correu_maildir_box_find(box, 4, &(size_t){0}), CORREU_ERR_NOT_FOUND);
}

Test(box, uidlist_is_dovecot_version_3)
{
	correu_maildir_msg m;
	char p[4096], line[512], *text;
	unsigned v, nx;

	open_inbox();
	st_deliver(box, MSG1, 100);
	st_msg(box, 1, &m);
	path_of(p, sizeof(p), "dovecot-uidlist");
	text = st_slurp(p);
	cr_assert_eq(sscanf(text, "3 V%u N%u G", &v, &nx), 2, "%s", text);
	cr_assert_eq(v, correu_maildir_box_uidvalidity(box));
	cr_assert(strchr(text, 'G') && strlen(strchr(text, 'G')) > 33);
	snprintf(line, sizeof(line), "\n1 :%s\n", m.filename);
	cr_assert(strstr(text, line) != NULL, "%s", text);
	free(text);
}

Test(box, flags_and_keywords_by_rename)
{
	correu_maildir_msg m;
	unsigned junk, nonjunk, again;
	const char *name;
	size_t len;
	uint64_t ms0;
	char p[4096], *text;

	open_inbox();
	st_deliver(box, MSG1, 100);
	cr_assert_eq(correu_maildir_box_keyword_index(box, "$Junk", 5, 0, &junk),
	             CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_maildir_box_keyword_index(box, "$Junk", 5, 1, &junk), 0);
	cr_assert_eq(correu_maildir_box_keyword_index(box, "$NonJunk", 8, 1, &nonjunk), 0);
	cr_assert_eq(correu_maildir_box_keyword_index(box, "$nonjunk", 8, 0, &again), 0);
	cr_assert_eq(again, nonjunk);
	cr_assert_eq(junk, 0);
	cr_assert_eq(nonjunk, 1);
	cr_assert_eq(correu_maildir_box_keyword_index(box, "a b", 3, 1, &again), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_box_keyword_index(box, "\\Seen", 5, 1, &again), CORREU_ERR_ARG);
	path_of(p, sizeof(p), "dovecot-keywords");
	text = st_slurp(p);
	cr_assert_str_eq(text, "0 $Junk\n1 $NonJunk\n");
	free(text);

	st_msg(box, 1, &m);
	ms0 = m.modseq;
	cr_assert_eq(correu_maildir_box_update_flags(box, 1, CORREU_MAILDIR_FLAG_SEEN |
	                                                         CORREU_MAILDIR_FLAG_FLAGGED,
	                                             0, 1u << nonjunk, 0), 0);
	st_msg(box, 1, &m);
	cr_assert_eq(m.flags, CORREU_MAILDIR_FLAG_SEEN | CORREU_MAILDIR_FLAG_FLAGGED);
	cr_assert_eq(m.keywords, 1u << nonjunk);
	cr_assert_eq(m.is_new, 0, "a flag change moves the file to cur/");
	cr_assert(strstr(m.filename, ":2,FSb") != NULL, "%s", m.filename);
	cr_assert_gt(m.modseq, ms0);
	cr_assert_eq(correu_maildir_box_highestmodseq(box), m.modseq);
	cr_assert_eq(correu_maildir_box_update_flags(box, 1, 0, CORREU_MAILDIR_FLAG_FLAGGED, 0, 0),
	             0);
	cr_assert_eq(correu_maildir_box_update_flags(box, 1, 0x40, 0, 0, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_box_update_flags(box, 1, 0, 0, 1u << 26, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_box_update_flags(box, 9, 1, 0, 0, 0), CORREU_ERR_NOT_FOUND);
	uint64_t highest = correu_maildir_box_highestmodseq(box);

	reopen_inbox();
	st_msg(box, 1, &m);
	cr_assert_eq(m.flags, CORREU_MAILDIR_FLAG_SEEN);
	cr_assert_eq(m.keywords, 1u << nonjunk);
	cr_assert_eq(correu_maildir_box_keyword_name(box, nonjunk, &name, &len), 0);
	cr_assert_eq(len, 8);
	cr_assert_eq(memcmp(name, "$NonJunk", 8), 0);
	cr_assert_eq(correu_maildir_box_keyword_name(box, 5, &name, &len), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_maildir_box_highestmodseq(box), highest, "MODSEQ persisted");
}

Test(box, at_most_26_keywords)
{
	unsigned idx;
	char kw[8];

	open_inbox();
	for (int i = 0; i < 26; i++) {
		snprintf(kw, sizeof(kw), "k%d", i);
		cr_assert_eq(correu_maildir_box_keyword_index(box, kw, strlen(kw), 1, &idx), 0);
		cr_assert_eq(idx, (unsigned)i);
	}
	cr_assert_eq(correu_maildir_box_keyword_index(box, "k26", 3, 1, &idx), CORREU_ERR_LIMIT);
}

Test(box, a_rename_by_another_process_is_followed)
{
	correu_maildir_msg m;
	char from[4096], to[4096];

	open_inbox();
	st_deliver(box, MSG1, 100);
	st_msg(box, 1, &m);
	/* Someone else (a Dovecot session) marks it \Draft meanwhile. */
	snprintf(from, sizeof(from), "%s/new/%s", root, m.filename);
	snprintf(to, sizeof(to), "%s/cur/%s:2,D", root, m.filename);
	cr_assert_eq(rename(from, to), 0);
	cr_assert_eq(correu_maildir_box_update_flags(box, 1, CORREU_MAILDIR_FLAG_SEEN, 0, 0, 0), 0);
	st_msg(box, 1, &m);
	cr_assert_eq(m.flags, CORREU_MAILDIR_FLAG_SEEN | CORREU_MAILDIR_FLAG_DRAFT);
	char *text = st_read(box, 1);
	cr_assert_str_eq(text, MSG1);
	free(text);
}

Test(box, take_new_moves_to_cur_keeping_uids)
{
	correu_maildir_msg m;

	open_inbox();
	st_deliver(box, MSG1, 100);
	st_deliver(box, MSG2, 100);
	cr_assert_eq(correu_maildir_box_take_new(box), 2);
	cr_assert_eq(correu_maildir_box_take_new(box), 0);
	cr_assert_eq(count_files("new"), 0);
	cr_assert_eq(count_files("cur"), 2);
	st_msg(box, 2, &m);
	cr_assert_eq(m.is_new, 0);
	cr_assert(strstr(m.filename, ":2,") != NULL);
	reopen_inbox();
	st_msg(box, 2, &m);
	cr_assert_eq(m.size, strlen(MSG2));
}

Test(box, expunge_and_uid_not_reused)
{
	uint64_t before;
	char p[4096], *text;

	open_inbox();
	st_deliver(box, MSG1, 100);
	st_deliver(box, MSG2, 100);
	before = correu_maildir_box_highestmodseq(box);
	cr_assert_eq(correu_maildir_box_expunge(box, 2), 0);
	cr_assert_gt(correu_maildir_box_highestmodseq(box), before);
	cr_assert_eq(correu_maildir_box_expunge(box, 2), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_maildir_box_count(box), 1);
	cr_assert_eq(count_files("new"), 1);
	cr_assert_eq(st_deliver(box, MSG2, 100), 3, "UID 2 is never given again");
	path_of(p, sizeof(p), "dovecot-uidlist");
	text = st_slurp(p);
	cr_assert(strstr(text, "\n2 ") == NULL, "expunged UID left the file: %s", text);
	cr_assert(strstr(text, "\n3 ") != NULL);
	free(text);
}

Test(box, expunged_by_someone_else)
{
	correu_maildir_msg m;
	char p[4096];
	int fd;

	open_inbox();
	st_deliver(box, MSG1, 100);
	st_deliver(box, MSG2, 100);
	st_msg(box, 1, &m);
	snprintf(p, sizeof(p), "%s/new/%s", root, m.filename);
	cr_assert_eq(unlink(p), 0);
	cr_assert_eq(correu_maildir_box_open_fd(box, 1, &fd), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_maildir_box_count(box), 1);
	cr_assert_eq(correu_maildir_box_update_flags(box, 1, 1, 0, 0, 0), CORREU_ERR_NOT_FOUND);
}

Test(box, copy_and_move_keep_flags_keywords_and_date)
{
	correu_maildir_box *in, *arch;
	correu_maildir_msg a, b;
	unsigned kw, kw2;
	uint32_t uid = 0;
	const char *name;
	size_t len;
	char p[4096];
	struct stat st;

	md = st_open(root);
	cr_assert_eq(correu_maildir_folder_create(md, "Archive", 7), 0);
	in = st_box(md, "INBOX");
	arch = st_box(md, "Archive");
	/* Give the destination a different first keyword so names must map. */
	cr_assert_eq(correu_maildir_box_keyword_index(arch, "Other", 5, 1, &kw2), 0);
	st_deliver(in, MSG1, 100);
	st_deliver(in, MSG2, 100);
	cr_assert_eq(correu_maildir_box_keyword_index(in, "$Label1", 7, 1, &kw), 0);
	cr_assert_eq(correu_maildir_box_update_flags(in, 1, CORREU_MAILDIR_FLAG_ANSWERED, 0,
	                                             1u << kw, 0), 0);
	cr_assert_eq(correu_maildir_box_copy(in, 1, arch, &uid), 0);
	cr_assert_eq(uid, 1);
	st_msg(in, 1, &a);
	st_msg(arch, 1, &b);
	cr_assert_eq(b.flags, CORREU_MAILDIR_FLAG_ANSWERED);
	cr_assert_eq(b.internal_date, a.internal_date);
	cr_assert_eq(b.size, a.size);
	cr_assert_eq(b.keywords, 1u << 1);
	cr_assert_eq(correu_maildir_box_keyword_name(arch, 1, &name, &len), 0);
	cr_assert_eq(memcmp(name, "$Label1", len), 0);
	snprintf(p, sizeof(p), "%s/.Archive/cur/%s", root, b.filename);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_nlink, 2, "copied by hard link");

	cr_assert_eq(correu_maildir_box_move(in, 2, arch, &uid), 0);
	cr_assert_eq(uid, 2);
	cr_assert_eq(correu_maildir_box_count(in), 1);
	char *text = st_read(arch, 2);
	cr_assert_str_eq(text, MSG2);
	free(text);
	cr_assert_eq(correu_maildir_box_copy(in, 7, arch, &uid), CORREU_ERR_NOT_FOUND);
	correu_maildir_box_close(in);
	correu_maildir_box_close(arch);
}

Test(box, delivery_options_abort_and_size_limit)
{
	correu_maildir_settings s;
	correu_maildir_delivery *d;
	correu_maildir_msg m;
	uint32_t uid;

	cr_assert_eq(correu_maildir_settings_init(&s), 0);
	s.max_message_size = 10;
	cr_assert_eq(correu_maildir_open(root, strlen(root), &s, NULL, NULL, &md), 0);
	box = st_box(md, "INBOX");

	cr_assert_eq(correu_maildir_delivery_begin(box, &d), 0);
	cr_assert_eq(count_files("tmp"), 1);
	correu_maildir_delivery_abort(d);
	cr_assert_eq(count_files("tmp"), 0);

	/* exactly the limit */
	cr_assert_eq(correu_maildir_delivery_begin(box, &d), 0);
	cr_assert_eq(correu_maildir_delivery_write(d, (const uint8_t *)"0123456789", 10), 0);
	cr_assert_eq(correu_maildir_delivery_set_flags(d, CORREU_MAILDIR_FLAG_SEEN, 0), 0);
	cr_assert_eq(correu_maildir_delivery_set_flags(d, 0x80, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_delivery_set_date(d, 1000000000), 0);
	cr_assert_eq(correu_maildir_delivery_set_date(d, -1), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_delivery_commit(d, &uid), 0);
	st_msg(box, uid, &m);
	cr_assert_eq(m.internal_date, 1000000000);
	cr_assert_eq(m.flags, CORREU_MAILDIR_FLAG_SEEN);
	cr_assert_eq(m.is_new, 0, "APPEND with flags goes to cur/");

	/* one past */
	cr_assert_eq(correu_maildir_delivery_begin(box, &d), 0);
	cr_assert_eq(correu_maildir_delivery_write(d, (const uint8_t *)"0123456789", 10), 0);
	cr_assert_eq(correu_maildir_delivery_write(d, (const uint8_t *)"x", 1), CORREU_ERR_LIMIT);
	cr_assert_eq(correu_maildir_delivery_write(d, (const uint8_t *)"x", 1), CORREU_ERR_STATE);
	cr_assert_eq(correu_maildir_delivery_commit(d, &uid), CORREU_ERR_LIMIT);
	cr_assert_eq(count_files("tmp"), 0);
	cr_assert_eq(correu_maildir_box_count(box), 1);
}

/* A Maildir as Dovecot leaves it: our UIDs must be its UIDs. */
Test(box, opens_a_dovecot_maildir_with_its_uids)
{
	char p[4096];
	correu_maildir_msg m;
	const char *name;
	size_t len;

	cr_assert_eq(mkdir(strcat(strcpy(p, root), "/cur"), 0700), 0);
	cr_assert_eq(mkdir(strcat(strcpy(p, root), "/new"), 0700), 0);
	cr_assert_eq(mkdir(strcat(strcpy(p, root), "/tmp"), 0700), 0);
	path_of(p, sizeof(p), "cur/1700000000.M1P1.host,S=5,W=6:2,Sb");
	st_write_file(p, "1234\n");
	path_of(p, sizeof(p), "new/1700000001.M2P1.host,S=5,W=6");
	st_write_file(p, "abcd\n");
	path_of(p, sizeof(p), "new/1700000002.M3P1.other");
	st_write_file(p, "no uid yet\n");
	path_of(p, sizeof(p), "dovecot-uidlist");
	st_write_file(p, "3 V1234 N10 G3085f01b7f11094c501100008c4a11c1\n"
	                 "4 :1700000000.M1P1.host,S=5,W=6\n"
	                 "7 W6 :1700000001.M2P1.host,S=5,W=6\n");
	path_of(p, sizeof(p), "dovecot-keywords");
	st_write_file(p, "0 $Junk\n1 $NonJunk\n");
	open_inbox();
	cr_assert_eq(correu_maildir_box_uidvalidity(box), 1234);
	cr_assert_eq(correu_maildir_box_count(box), 3);
	st_msg(box, 4, &m);
	cr_assert_eq(m.flags, CORREU_MAILDIR_FLAG_SEEN);
	cr_assert_eq(m.keywords, 2u);
	cr_assert_eq(m.size, 5);
	cr_assert_eq(correu_maildir_box_keyword_name(box, 1, &name, &len), 0);
	cr_assert_eq(memcmp(name, "$NonJunk", len), 0);
	st_msg(box, 7, &m);
	cr_assert_eq(m.is_new, 1);
	st_msg(box, 10, &m);
	cr_assert_eq(m.size, 11, "size from stat when the name has no S=");
	cr_assert_eq(correu_maildir_box_uidnext(box), 11);
	path_of(p, sizeof(p), "dovecot-uidlist");
	char *text = st_slurp(p);
	cr_assert(strstr(text, "7 W6 :1700000001.M2P1.host,S=5,W=6\n10 :1700000002.M3P1.other\n"),
	          "%s", text);
	free(text);
}

/* Files another writer left without UIDs get them in the order they were
 * made, read from the numbers in their names: as strings these sort
 * 1700000000.M123456 < .M99..Q10 < .M99..Q9 < 1700000001 < 999999999. */
Test(box, unlisted_files_get_uids_in_arrival_order)
{
	static const char *const arrived[] = {
		"new/999999999.M500000P7.host", "new/1700000000.M99P7Q9.host",
		"new/1700000000.M99P7Q10.host", "cur/1700000000.M123456P7Q1.host:2,S",
		"new/1700000001.M5P7Q2.host",
	};
	const size_t n = sizeof(arrived) / sizeof(arrived[0]);
	correu_maildir_msg m;
	char p[4096];

	md = st_open(root);
	/* Written newest first, so neither creation nor directory order helps. */
	for (size_t i = n; i-- > 0;) {
		path_of(p, sizeof(p), arrived[i]);
		st_write_file(p, "Subject: x\r\n\r\nx\r\n");
	}
	for (int pass = 0; pass < 2; pass++) {
		/* The second pass reads the UIDs back from dovecot-uidlist. */
		box = st_box(md, "INBOX");
		cr_assert_eq(correu_maildir_box_count(box), n);
		for (size_t i = 0; i < n; i++) {
			const char *want = arrived[i] + 4; /* past "new/" or "cur/" */

			st_msg(box, (uint32_t)i + 1, &m);
			cr_assert_eq(strncmp(m.filename, want, strcspn(want, ":")), 0,
			             "UID %zu is %s", i + 1, m.filename);
		}
		close_box();
	}
}

Test(box, unreadable_uidlist_means_new_uidvalidity)
{
	uint32_t old;
	char p[4096];

	open_inbox();
	st_deliver(box, MSG1, 100);
	st_deliver(box, MSG2, 100);
	old = correu_maildir_box_uidvalidity(box);
	close_box();
	path_of(p, sizeof(p), "dovecot-uidlist");
	st_write_file(p, "garbage header\n1 :x\n");
	box = st_box(md, "INBOX");
	cr_assert_neq(correu_maildir_box_uidvalidity(box), old);
	cr_assert_eq(correu_maildir_box_count(box), 2);
	cr_assert_eq(correu_maildir_box_uidnext(box), 3);
}

Test(box, damaged_record_keeps_earlier_uids_and_uidvalidity)
{
	correu_maildir_msg m1, m3;
	uint32_t old;
	char p[4096], buf[2048];

	open_inbox();
	for (int i = 0; i < 3; i++)
		st_deliver(box, MSG1, 100);
	old = correu_maildir_box_uidvalidity(box);
	st_msg(box, 1, &m1);
	st_msg(box, 3, &m3);
	snprintf(buf, sizeof(buf), "3 V%u N4 G3085f01b7f11094c501100008c4a11c1\n1 :%s\n2 ::::\n", old,
	         m1.filename);
	close_box();
	path_of(p, sizeof(p), "dovecot-uidlist");
	st_write_file(p, buf);
	box = st_box(md, "INBOX");
	cr_assert_eq(correu_maildir_box_uidvalidity(box), old);
	cr_assert_eq(correu_maildir_box_count(box), 3);
	st_msg(box, 1, &m1);
	cr_assert_eq(correu_maildir_box_find(box, 2, &(size_t){0}), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_maildir_box_find(box, 4, &(size_t){0}), 0, "re-numbered above N");
	cr_assert_eq(correu_maildir_box_find(box, 5, &(size_t){0}), 0);
}

Test(box, a_long_uidlist_header_is_a_limit_not_damage)
{
	correu_maildir_settings s;
	char p[4096], hdr[1200], ext[700];
	char *text;

	memset(ext, 'x', sizeof(ext) - 1);
	ext[sizeof(ext) - 1] = '\0';
	/* "3 V77 N5 X" + 699 = 709 bytes: past 512, within the default. */
	snprintf(hdr, sizeof(hdr), "3 V77 N5 X%s\n", ext);
	md = st_open(root);
	close_md();
	path_of(p, sizeof(p), "dovecot-uidlist");
	st_write_file(p, hdr);
	cr_assert_eq(correu_maildir_settings_init(&s), 0);
	s.max_line = 512;
	cr_assert_eq(correu_maildir_open(root, strlen(root), &s, NULL, NULL, &md), 0);
	cr_assert_eq(correu_maildir_box_open(md, "INBOX", 5, &box), CORREU_ERR_LIMIT);
	close_md();
	open_inbox();
	cr_assert_eq(correu_maildir_box_uidvalidity(box), 77);
	cr_assert_eq(st_deliver(box, MSG1, 100), 5);
	cr_assert_eq(correu_maildir_box_expunge(box, 5), 0);
	cr_assert_eq(correu_maildir_box_sync(box), 0); /* rewrites the file */
	text = st_slurp(p);
	cr_assert(strstr(text, ext) != NULL, "unknown header field kept");
	cr_assert(strncmp(text, "3 V77 N6 G", 10) == 0, "%.20s", text);
	free(text);
}

Test(box, copy_of_a_file_without_sizes_is_still_a_link)
{
	correu_maildir_box *in, *arch;
	correu_maildir_msg m;
	uint32_t uid;
	char p[4096];
	struct stat st;

	md = st_open(root);
	path_of(p, sizeof(p), "new/1700000002.M3P1.other");
	st_write_file(p, "a\nb\r\nc\n");
	cr_assert_eq(correu_maildir_folder_create(md, "Arch", 4), 0);
	in = st_box(md, "INBOX");
	arch = st_box(md, "Arch");
	cr_assert_eq(correu_maildir_box_copy(in, 1, arch, &uid), 0);
	st_msg(arch, uid, &m);
	cr_assert_eq(m.size, 7);
	cr_assert_eq(m.vsize, 9, "two bare LFs");
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_nlink, 2);
	correu_maildir_box_close(in);
	correu_maildir_box_close(arch);
}

Test(box, malformed_keywords_lines_are_skipped)
{
	const char *name;
	size_t len;
	char p[4096];

	md = st_open(root);
	path_of(p, sizeof(p), "dovecot-keywords");
	st_write_file(p, "nospace\n30 toolarge\n-1 neg\n2 ok\n3 \nx7 bad\n2 duplicate\n4 a b\n5 last");
	box = st_box(md, "INBOX");
	cr_assert_eq(correu_maildir_box_keyword_name(box, 2, &name, &len), 0);
	cr_assert_eq(len, 2);
	for (unsigned i = 0; i < 26; i++) {
		if (i != 2)
			cr_assert_eq(correu_maildir_box_keyword_name(box, i, &name, &len),
			             CORREU_ERR_NOT_FOUND, "%u", i);
	}
}

Test(box, old_tmp_files_are_cleaned_on_open)
{
	correu_maildir_settings s;
	struct timeval tv[2];
	char old[4096], fresh[4096];

	md = st_open(root);
	path_of(old, sizeof(old), "tmp/old");
	path_of(fresh, sizeof(fresh), "tmp/fresh");
	st_write_file(old, "x");
	st_write_file(fresh, "y");
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= 37 * 3600;
	tv[1] = tv[0];
	cr_assert_eq(utimes(old, tv), 0);
	box = st_box(md, "INBOX");
	cr_assert_neq(access(old, F_OK), 0);
	cr_assert_eq(access(fresh, F_OK), 0);
	close_md();

	/* The age is a setting. */
	cr_assert_eq(correu_maildir_settings_init(&s), 0);
	s.tmp_max_age_s = 1;
	cr_assert_eq(correu_maildir_open(root, strlen(root), &s, NULL, NULL, &md), 0);
	sleep(2);
	box = st_box(md, "INBOX");
	cr_assert_neq(access(fresh, F_OK), 0);
}

Test(box, uidlist_lock_busy_and_stale)
{
	correu_maildir_settings s;
	char lock[4096], id[400];
	struct timeval tv[2];
	pid_t child;
	int status;

	cr_assert_eq(correu_maildir_settings_init(&s), 0);
	s.lock_wait_ms = 200;
	cr_assert_eq(correu_maildir_open(root, strlen(root), &s, NULL, NULL, &md), 0);
	path_of(lock, sizeof(lock), "dovecot-uidlist.lock");

	/* Held by a live process: BUSY after the wait. */
	snprintf(id, sizeof(id), "%ld:%s", (long)getppid(), "some-other-host");
	st_write_file(lock, id);
	cr_assert_eq(correu_maildir_box_open(md, "INBOX", 5, &box), CORREU_ERR_BUSY);

	/* Too old: stale whoever holds it. */
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= 121;
	tv[1] = tv[0];
	cr_assert_eq(utimes(lock, tv), 0);
	box = st_box(md, "INBOX");
	close_box();
	cr_assert_neq(access(lock, F_OK), 0, "our own lock is gone");

	/* Fresh, but its process on this host is dead: stale at once. */
	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, &status, 0);
	char host[256];
	gethostname(host, sizeof(host));
	snprintf(id, sizeof(id), "%ld:%s", (long)child, host);
	st_write_file(lock, id);
	box = st_box(md, "INBOX");
}

Test(box, external_new_file_gets_next_uid_on_sync)
{
	char p[4096];

	open_inbox();
	st_deliver(box, MSG1, 100);
	path_of(p, sizeof(p), "new/9999999999.external.host");
	st_write_file(p, "dropped by another MDA\n");
	cr_assert_eq(correu_maildir_box_count(box), 1);
	cr_assert_eq(correu_maildir_box_sync(box), 0);
	cr_assert_eq(correu_maildir_box_count(box), 2);
	char *text = st_read(box, 2);
	cr_assert_str_eq(text, "dropped by another MDA\n");
	free(text);
}

Test(box, bad_arguments)
{
	correu_maildir_settings s;

	cr_assert_eq(correu_maildir_open(NULL, 0, NULL, NULL, NULL, &md), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_open("a\0b", 3, NULL, NULL, NULL, &md), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_settings_init(&s), 0);
	s.version = 99;
	cr_assert_eq(correu_maildir_open(root, strlen(root), &s, NULL, NULL, &md), CORREU_ERR_ARG);
	s.version = CORREU_MAILDIR_SETTINGS_VERSION;
	s.max_line = 511;
	cr_assert_eq(correu_maildir_open(root, strlen(root), &s, NULL, NULL, &md), CORREU_ERR_ARG);
	s.max_line = 512;
	cr_assert_eq(correu_maildir_open(root, strlen(root), &s, NULL, NULL, &md), 0);
	close_md();
	md = st_open(root);
	cr_assert_eq(correu_maildir_box_open(md, "Missing", 7, &box), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_maildir_box_open(md, "a/../b", 6, &box), CORREU_ERR_ARG);
	box = st_box(md, "INBOX");
	correu_maildir_msg m = {.version = 2};
	cr_assert_eq(correu_maildir_box_message(box, 0, &m), CORREU_ERR_ARG);
	m.version = CORREU_MAILDIR_MSG_VERSION;
	cr_assert_eq(correu_maildir_box_message(box, 0, &m), CORREU_ERR_NOT_FOUND);
	close_box();
	correu_maildir_box_close(NULL);
	close_md();
	correu_maildir_free(NULL);
}

static int store_scenario(void *ctx, const correu_allocator *a)
{
	const char *dir = ctx;
	correu_maildir *maildir = NULL;
	correu_maildir_box *inbox = NULL, *arch = NULL;
	correu_maildir_delivery *d = NULL;
	unsigned kw;
	uint32_t uid;
	int rc;

	st_rm_tree(dir);
	rc = correu_maildir_open(dir, strlen(dir), NULL, a, NULL, &maildir);
	if (rc == 0)
		rc = correu_maildir_folder_create(maildir, "Arch", 4);
	if (rc == 0)
		rc = correu_maildir_box_open(maildir, "INBOX", 5, &inbox);
	if (rc == 0)
		rc = correu_maildir_box_open(maildir, "Arch", 4, &arch);
	for (int i = 0; i < 3 && rc == 0; i++) {
		rc = correu_maildir_delivery_begin(inbox, &d);
		if (rc == 0)
			rc = correu_maildir_delivery_write(d, (const uint8_t *)MSG1, strlen(MSG1));
		if (rc == 0)
			rc = correu_maildir_delivery_commit(d, &uid);
		else
			correu_maildir_delivery_abort(d);
	}
	if (rc == 0)
		rc = correu_maildir_box_keyword_index(inbox, "$Junk", 5, 1, &kw);
	if (rc == 0)
		rc = correu_maildir_box_update_flags(inbox, 1, 1, 0, 1u << kw, 0);
	if (rc == 0)
		rc = correu_maildir_box_copy(inbox, 1, arch, &uid);
	if (rc == 0)
		rc = correu_maildir_box_expunge(inbox, 2);
	if (rc == 0)
		rc = correu_maildir_box_sync(inbox);
	correu_maildir_box_close(arch);
	correu_maildir_box_close(inbox);
	if (maildir && rc == 0) {
		rc = correu_maildir_box_open(maildir, "INBOX", 5, &inbox);
		correu_maildir_box_close(inbox);
	}
	correu_maildir_free(maildir);
	return rc;
}

Test(box, every_allocation_failure_is_clean)
{
	long n = failalloc_loop(store_scenario, root, 400);

	cr_assert_gt(n, 10);
}
