/* Maildir++ folders and the subscriptions file. */
#include "store_test.h"

struct names {
	char text[2048];
};

static int collect(const char *name, size_t len, void *ud)
{
	struct names *n = ud;

	strncat(n->text, name, len);
	strcat(n->text, "|");
	return 0;
}

static int stop_at_two(const char *name, size_t len, void *ud)
{
	int *count = ud;

	(void)name;
	(void)len;
	return ++*count == 2 ? CORREU_ERR_CANCELLED : 0;
}

static bool is_dir(const char *root, const char *sub)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, sub);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

Test(folders, create_list_rename_delete)
{
	char root[64];
	correu_maildir *md;
	struct names n = {""};
	int count = 0;

	st_mkdtemp(root, sizeof(root));
	md = st_open(root);
	cr_assert(is_dir(root, "cur") && is_dir(root, "new") && is_dir(root, "tmp"));
	cr_assert_eq(correu_maildir_folder_create(md, "Sent", 4), 0);
	cr_assert_eq(correu_maildir_folder_create(md, "Entw\xc3\xbcrfe", 9), 0);
	cr_assert_eq(correu_maildir_folder_create(md, "Archive.2024", 12), 0);
	cr_assert_eq(correu_maildir_folder_create(md, "Archive", 7), 0);
	cr_assert_eq(correu_maildir_folder_create(md, "Sent", 4), CORREU_ERR_EXISTS);
	cr_assert_eq(correu_maildir_folder_create(md, "inbox", 5), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_folder_create(md, "../escape", 9), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_folder_create(md, "a/b", 3), CORREU_ERR_ARG);
	/* Dovecot's on-disk form */
	cr_assert(is_dir(root, ".Entw&APw-rfe/cur"));
	cr_assert(is_dir(root, ".Archive.2024/new"));
	char mark[4096];
	snprintf(mark, sizeof(mark), "%s/.Sent/maildirfolder", root);
	cr_assert_eq(access(mark, F_OK), 0);

	cr_assert_eq(correu_maildir_folder_list(md, collect, &n), 0);
	cr_assert_str_eq(n.text, "INBOX|Archive|Archive.2024|Entw\xc3\xbcrfe|Sent|");
	cr_assert_eq(correu_maildir_folder_list(md, stop_at_two, &count), CORREU_ERR_CANCELLED);

	/* Rename moves the children along. */
	cr_assert_eq(correu_maildir_folder_rename(md, "Archive", 7, "Old", 3), 0);
	cr_assert(is_dir(root, ".Old") && is_dir(root, ".Old.2024"));
	cr_assert(!is_dir(root, ".Archive") && !is_dir(root, ".Archive.2024"));
	cr_assert_eq(correu_maildir_folder_rename(md, "Old", 3, "Old.Inner", 9), CORREU_ERR_ARG);
	cr_assert_eq(correu_maildir_folder_rename(md, "Old", 3, "Sent", 4), CORREU_ERR_EXISTS);
	cr_assert_eq(correu_maildir_folder_rename(md, "Nope", 4, "X", 1), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_maildir_folder_rename(md, "INBOX", 5, "X", 1), CORREU_ERR_ARG);

	/* Delete keeps children and leaves nothing visible behind. */
	cr_assert_eq(correu_maildir_folder_delete(md, "Old", 3), 0);
	cr_assert(!is_dir(root, ".Old") && is_dir(root, ".Old.2024"));
	cr_assert_eq(correu_maildir_folder_delete(md, "Old", 3), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_maildir_folder_delete(md, "INBOX", 5), CORREU_ERR_ARG);
	n.text[0] = '\0';
	cr_assert_eq(correu_maildir_folder_list(md, collect, &n), 0);
	cr_assert_str_eq(n.text, "INBOX|Entw\xc3\xbcrfe|Old.2024|Sent|");
	correu_maildir_free(md);
	st_rm_tree(root);
}

Test(folders, name_length_limit)
{
	char root[64], name[64];
	correu_maildir_settings s;
	correu_maildir *md;

	st_mkdtemp(root, sizeof(root));
	cr_assert_eq(correu_maildir_settings_init(&s), 0);
	s.max_name = 11; /* "." + 10 bytes */
	cr_assert_eq(correu_maildir_open(root, strlen(root), &s, NULL, NULL, &md), 0);
	memset(name, 'a', 11);
	cr_assert_eq(correu_maildir_folder_create(md, name, 10), 0);
	cr_assert_eq(correu_maildir_folder_create(md, name, 11), CORREU_ERR_LIMIT);
	correu_maildir_free(md);
	st_rm_tree(root);
}

Test(folders, subscriptions_v1_file_and_dovecot_v2_file)
{
	char root[64], path[4096];
	correu_maildir *md;
	struct names n = {""};
	char *text;

	st_mkdtemp(root, sizeof(root));
	md = st_open(root);
	cr_assert_eq(correu_maildir_subscribe(md, "inbox", 5, 1), 0);
	cr_assert_eq(correu_maildir_subscribe(md, "Entw\xc3\xbcrfe.Alt", 13, 1), 0);
	cr_assert_eq(correu_maildir_subscribe(md, "Sent", 4, 1), 0);
	cr_assert_eq(correu_maildir_subscribe(md, "Sent", 4, 1), 0); /* no duplicate */
	snprintf(path, sizeof(path), "%s/subscriptions", root);
	text = st_slurp(path);
	cr_assert_str_eq(text, "INBOX\nEntw&APw-rfe.Alt\nSent\n");
	free(text);
	cr_assert_eq(correu_maildir_subscribe(md, "INBOX", 5, 0), 0);
	cr_assert_eq(correu_maildir_subscriptions(md, collect, &n), 0);
	cr_assert_str_eq(n.text, "Entw\xc3\xbcrfe.Alt|Sent|");

	/* A version 2 file stays version 2. */
	st_write_file(path, "V\t2\n\nTrash\nA\tB\n");
	cr_assert_eq(correu_maildir_subscribe(md, "C.D", 3, 1), 0);
	cr_assert_eq(correu_maildir_subscribe(md, "Trash", 5, 0), 0);
	text = st_slurp(path);
	cr_assert_str_eq(text, "V\t2\n\nA\tB\nC\tD\n");
	free(text);
	n.text[0] = '\0';
	cr_assert_eq(correu_maildir_subscriptions(md, collect, &n), 0);
	cr_assert_str_eq(n.text, "A.B|C.D|");
	cr_assert_eq(correu_maildir_subscribe(md, "bad..name", 9, 1), CORREU_ERR_ARG);
	correu_maildir_free(md);
	st_rm_tree(root);
}
