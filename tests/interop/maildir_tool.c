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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correu/maildir.h"

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
