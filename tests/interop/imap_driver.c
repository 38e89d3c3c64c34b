/*
 * imap_driver: a small command-line client over correu's blocking IMAP
 * session and its core, for the interop tests (tests/interop, IMAP layer).
 * It opens one session, logs in with the strongest method the server
 * offers, runs the commands given as arguments in order and prints one
 * line per result, which test_imap_client.py compares with what Dovecot
 * holds:
 *
 *   ready tls=1 caps=0x... sasl=PLAIN SCRAM-SHA-256
 *   login ok enabled=0x...
 *   list [ATTR...] name=NAME   select EXISTS UIDVALIDITY   highestmodseq N
 *   search UID                 esearch min=N max=N count=N all=SET
 *   sort UID...                thread (1)(2 3)
 *   append UID                 fetch UID BYTES
 *   copyuid VALIDITY SRC DST (MOVE, untagged)   copyuid tagged (COPY)
 *   vanished SET   modseq N   uidvalidity N   exists N   idle 1|0
 *   peak BYTES (the allocator's high-water mark)
 *   meta ENTRY VALUE|NIL   sync UIDVALIDITY MODSEQ EXISTS UIDNEXT   compress 1
 *
 * Commands: list:PATTERN, special, create:NAME, select:NAME,
 * condstore:NAME, qresync:NAME:UIDVALIDITY:MODSEQ, search:KEYS,
 * esearch:KEYS, sort:KEYS, thread, append:MAILBOX:FILE,
 * fetch:UID:SECTION:FILE, store:FLAGS:UIDSET, copy:UIDSET:MAILBOX,
 * move:UIDSET:MAILBOX, expunge, idle:MS, logout, peak, esort:KEYS,
 * setmeta:MAILBOX|-:ENTRY:VALUE|NIL, getmeta:MAILBOX|-:ENTRY,
 * sync:NAME:UIDVALIDITY:MODSEQ, compress. A failed step
 * prints "error STEP CORREU_ERR_NAME TEXT" and exits 1; bad usage exits 2.
 * The password comes from $CORREU_PASSWORD; the login method chosen is
 * logged to standard error.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correu/imap.h"
#include "driver_args.h"
#include "driver_sink.h"

/* An allocator that records its high-water mark, to show that a large
 * message never sits in memory whole. */
struct counting {
	correu_allocator table;
	size_t live, peak;
};

static void *c_alloc(void *user, size_t size)
{
	struct counting *k = user;
	void *p = malloc(size);

	if (p && (k->live += size) > k->peak)
		k->peak = k->live;
	return p;
}

static void *c_realloc(void *user, void *p, size_t old, size_t size)
{
	struct counting *k = user;
	void *q = realloc(p, size);

	if (q && (k->live = k->live - old + size) > k->peak)
		k->peak = k->live;
	return q;
}

static void c_free(void *user, void *p, size_t size)
{
	struct counting *k = user;

	k->live -= size;
	free(p);
}

/* Prints what the untagged data of a step says, one line per fact. */
static int on_data(const correu_imap_event *ev, void *userdata)
{
	(void)userdata;
	if (ev->type == CORREU_IMAP_EV_BEGIN && ev->resp == CORREU_IMAP_RESP_LIST)
		printf("list");
	if (ev->type == CORREU_IMAP_EV_ITEM) {
		switch (ev->item) {
		case CORREU_IMAP_ITEM_MBOX_ATTR:
			printf(" %.*s", (int)ev->str_len[0], ev->str[0]);
			break;
		case CORREU_IMAP_ITEM_MAILBOX:
			if (ev->resp == CORREU_IMAP_RESP_LIST)
				printf(" name=%.*s\n", (int)ev->str_len[0], ev->str[0]);
			break;
		case CORREU_IMAP_ITEM_SEQSET:
			if (ev->resp == CORREU_IMAP_RESP_VANISHED)
				printf("vanished %.*s\n", (int)ev->str_len[0], ev->str[0]);
			else
				printf("esearch all=%.*s\n", (int)ev->str_len[0], ev->str[0]);
			break;
		case CORREU_IMAP_ITEM_ESEARCH_MIN:
			printf("esearch min=%llu\n", (unsigned long long)ev->num);
			break;
		case CORREU_IMAP_ITEM_ESEARCH_MAX:
			printf("esearch max=%llu\n", (unsigned long long)ev->num);
			break;
		case CORREU_IMAP_ITEM_ESEARCH_COUNT:
			printf("esearch count=%llu\n", (unsigned long long)ev->num);
			break;
		case CORREU_IMAP_ITEM_NUMBER:
			if (ev->resp == CORREU_IMAP_RESP_SORT)
				printf("sort %llu\n", (unsigned long long)ev->num);
			else if (ev->resp == CORREU_IMAP_RESP_THREAD)
				printf("%llu ", (unsigned long long)ev->num);
			break;
		case CORREU_IMAP_ITEM_THREAD_OPEN: printf("("); break;
		case CORREU_IMAP_ITEM_THREAD_CLOSE: printf(")"); break;
		case CORREU_IMAP_ITEM_FETCH_MODSEQ:
			printf("modseq %llu\n", (unsigned long long)ev->num);
			break;
		case CORREU_IMAP_ITEM_METADATA_ENTRY:
			printf("meta %.*s %.*s\n", (int)ev->str_len[0], ev->str[0],
			       ev->str[1] ? (int)ev->str_len[1] : 3, ev->str[1] ? ev->str[1] : "NIL");
			break;
		default: break;
		}
	}
	if (ev->type == CORREU_IMAP_EV_END && ev->code == CORREU_IMAP_CODE_COPYUID)
		printf("copyuid %llu %.*s %.*s\n", (unsigned long long)ev->num, (int)ev->str_len[2],
		       ev->str[2], (int)ev->str_len[3], ev->str[3]);
	if (ev->type == CORREU_IMAP_EV_END && ev->code == CORREU_IMAP_CODE_UIDVALIDITY)
		printf("uidvalidity %llu\n", (unsigned long long)ev->num);
	if (ev->type == CORREU_IMAP_EV_END && ev->code == CORREU_IMAP_CODE_HIGHESTMODSEQ)
		printf("highestmodseq %llu\n", (unsigned long long)ev->num);
	if (ev->type == CORREU_IMAP_EV_END && ev->resp == CORREU_IMAP_RESP_THREAD)
		printf("\n");
	if (ev->type == CORREU_IMAP_EV_BEGIN && ev->resp == CORREU_IMAP_RESP_THREAD)
		printf("thread ");
	if (ev->type == CORREU_IMAP_EV_BEGIN && ev->resp == CORREU_IMAP_RESP_EXISTS)
		printf("exists %llu\n", (unsigned long long)ev->num);
	return 0;
}

static int on_number(uint64_t n, void *userdata)
{
	(void)userdata;
	printf("search %llu\n", (unsigned long long)n);
	return 0;
}

/* A command of the core, waited for by the session, its data printed. */
static int core(correu_imap_session *s, int id)
{
	return correu_imap_session_wait(s, id, on_data, NULL);
}

static int print_copyuid(correu_imap_session *s, int rc)
{
	const char *text;
	uint32_t code;

	/* The tagged form (COPY); its arguments are in the text kept. */
	if (rc == 0 && correu_imap_session_last_response(s, &text, &code) > 0 &&
	    code == CORREU_IMAP_CODE_COPYUID)
		printf("copyuid tagged\n");
	return rc;
}

static int step_mailbox(correu_imap_session *s, const char *cmd)
{
	correu_imap_client *c = correu_imap_session_client(s);
	char a1[512];
	unsigned long long v1, v2;
	uint32_t exists, uidv;
	int rc;

	if (strncmp(cmd, "list:", 5) == 0)
		return correu_imap_session_list(s, cmd + 5, 0, 0, on_data, NULL);
	if (strcmp(cmd, "special") == 0)
		return correu_imap_session_list(
			s, "*", CORREU_IMAP_LIST_SPECIAL_USE | CORREU_IMAP_LIST_RETURN_SPECIAL_USE,
			0, on_data, NULL);
	if (strncmp(cmd, "create:", 7) == 0)
		return core(s, correu_imap_client_mailbox_cmd(c, CORREU_IMAP_CMD_CREATE, cmd + 7,
		                                              strlen(cmd + 7)));
	if (strncmp(cmd, "select:", 7) == 0) {
		rc = correu_imap_session_select(s, cmd + 7, 0, &exists, &uidv);
		if (rc == 0)
			printf("select %u %u\n", exists, uidv);
		return rc;
	}
	if (strncmp(cmd, "condstore:", 10) == 0)
		return core(s,
		            correu_imap_client_select(c, cmd + 10, strlen(cmd + 10),
		                                      CORREU_IMAP_SELECT_CONDSTORE, 0, 0, NULL, 0));
	if (sscanf(cmd, "qresync:%511[^:]:%llu:%llu", a1, &v1, &v2) == 3) {
		rc = core(s, correu_imap_client_enable(c, CORREU_IMAP_CAP_QRESYNC));
		if (rc == 0 || rc == CORREU_ERR_NOT_FOUND)
			rc = core(s, correu_imap_client_select(c, a1, strlen(a1), 0, (uint32_t)v1,
			                                       v2, NULL, 0));
		return rc;
	}
	if (strncmp(cmd, "copy:", 5) == 0 || strncmp(cmd, "move:", 5) == 0) {
		/* The set may hold ":" ("1:3"); the mailbox is after the last. */
		const char *box = strrchr(cmd, ':') + 1;

		if (box - cmd - 6 <= 0 || (size_t)(box - cmd - 6) >= sizeof(a1))
			return CORREU_ERR_ARG;
		memcpy(a1, cmd + 5, (size_t)(box - cmd - 6));
		a1[box - cmd - 6] = '\0';
		/* MOVE reports COPYUID untagged (RFC 6851 §4.3), COPY tagged. */
		return print_copyuid(
			s, core(s, correu_imap_client_copy(c,
		                                           cmd[0] == 'm' ? CORREU_IMAP_CMD_MOVE
		                                                         : CORREU_IMAP_CMD_COPY,
		                                           CORREU_IMAP_UID, a1, box, strlen(box))));
	}
	return 1;
}

static int step_message(correu_imap_session *s, const char *cmd)
{
	correu_imap_client *c = correu_imap_session_client(s);
	const char *keys = strchr(cmd, ':');
	char a1[512], path[1024];
	unsigned uid;
	int rc;

	if (strncmp(cmd, "search:", 7) == 0)
		return correu_imap_session_search(s, keys + 1, on_number, NULL);
	if (strncmp(cmd, "esearch:", 8) == 0)
		return core(s, correu_imap_client_search(c,
		                                         CORREU_IMAP_UID | CORREU_IMAP_RETURN_MIN |
		                                                 CORREU_IMAP_RETURN_MAX |
		                                                 CORREU_IMAP_RETURN_COUNT |
		                                                 CORREU_IMAP_RETURN_ALL,
		                                         NULL, keys + 1, strlen(keys + 1)));
	if (strncmp(cmd, "sort:", 5) == 0)
		return core(s, correu_imap_client_sort(c, CORREU_IMAP_CMD_SORT, CORREU_IMAP_UID,
		                                       "(REVERSE SUBJECT)", 17, "UTF-8", keys + 1,
		                                       strlen(keys + 1)));
	if (strcmp(cmd, "thread") == 0)
		return core(s, correu_imap_client_sort(c, CORREU_IMAP_CMD_THREAD, CORREU_IMAP_UID,
		                                       "REFERENCES", 10, "UTF-8", "ALL", 3));
	if (sscanf(cmd, "append:%511[^:]:%1023s", a1, path) == 2) {
		struct stat st;
		uint32_t new_uid = 0;
		int fd = open(path, O_RDONLY);

		if (fd < 0 || fstat(fd, &st) < 0)
			return CORREU_ERR_IO;
		rc = correu_imap_session_append_fd(s, a1, NULL, fd, (uint64_t)st.st_size, &new_uid);
		close(fd);
		if (rc == 0)
			printf("append %u\n", new_uid);
		return rc;
	}
	if (sscanf(cmd, "fetch:%u:%511[^:]:%1023s", &uid, a1, path) == 3) {
		struct driver_sink k = { -1, 0 };

		k.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (k.fd < 0)
			return CORREU_ERR_IO;
		rc = correu_imap_session_fetch_section(s, uid, strcmp(a1, "-") ? a1 : "",
		                                       driver_sink_write, &k);
		close(k.fd);
		if (rc == 0)
			printf("fetch %u %llu\n", uid, k.n);
		return rc;
	}
	if (sscanf(cmd, "store:%511[^:]:", a1) == 1)
		return correu_imap_session_store(s, strchr(cmd + 6, ':') + 1, "+FLAGS.SILENT", a1);
	if (strcmp(cmd, "expunge") == 0)
		return correu_imap_session_expunge(s);
	return 1;
}

/* The extensions: ESORT, METADATA, QRESYNC through the session,
 * COMPRESS. */
static int step_ext(correu_imap_session *s, const char *cmd)
{
	correu_imap_client *c = correu_imap_session_client(s);
	const uint32_t all = CORREU_IMAP_UID | CORREU_IMAP_RETURN_MIN | CORREU_IMAP_RETURN_MAX |
	                     CORREU_IMAP_RETURN_COUNT | CORREU_IMAP_RETURN_ALL;
	char a1[512], a2[512], a3[512];
	unsigned long long v1, v2;
	int rc;

	if (strncmp(cmd, "esort:", 6) == 0)
		return core(s, correu_imap_client_sort_return(c, all, 0, 0, "(REVERSE SUBJECT)", 17,
		                                              "UTF-8", cmd + 6, strlen(cmd + 6)));
	if (sscanf(cmd, "setmeta:%511[^:]:%511[^:]:%511[^\n]", a1, a2, a3) == 3) {
		const char *e[1] = { a2 }, *v[1] = { strcmp(a3, "NIL") ? a3 : NULL };
		size_t el[1] = { strlen(a2) }, vl[1] = { strlen(a3) };

		return core(s, correu_imap_client_setmetadata(c, a1, strcmp(a1, "-") ? strlen(a1) : 0,
		                                              e, el, v, vl, 1));
	}
	if (sscanf(cmd, "getmeta:%511[^:]:%511s", a1, a2) == 2) {
		const char *e[1] = { a2 };
		size_t el[1] = { strlen(a2) };

		return core(s, correu_imap_client_getmetadata(c, a1, strcmp(a1, "-") ? strlen(a1) : 0,
		                                              e, el, 1, 0,
		                                              CORREU_IMAP_DEPTH_INFINITY));
	}
	if (sscanf(cmd, "sync:%511[^:]:%llu:%llu", a1, &v1, &v2) == 3) {
		correu_imap_sync_state st = { .version = CORREU_IMAP_SYNC_STATE_VERSION };

		st.uidvalidity = (uint32_t)v1;
		st.highestmodseq = v2;
		rc = correu_imap_session_select_sync(s, a1, 0, NULL, &st, on_data, NULL);
		if (rc == 0)
			printf("sync %u %llu %u %u\n", st.uidvalidity,
			       (unsigned long long)st.highestmodseq, st.exists, st.uidnext);
		return rc;
	}
	if (strcmp(cmd, "compress") == 0) {
		rc = correu_imap_session_compress(s);
		if (rc == 0)
			printf("compress %d\n", correu_imap_client_is_compressed(c));
		return rc;
	}
	return 1;
}

static int step(correu_imap_session *s, struct counting *k, const char *cmd)
{
	int rc = step_mailbox(s, cmd);

	if (rc == 1)
		rc = step_message(s, cmd);
	if (rc == 1)
		rc = step_ext(s, cmd);
	if (rc != 1)
		return rc;
	if (strncmp(cmd, "idle:", 5) == 0) {
		rc = correu_imap_session_idle(s, (uint32_t)strtoul(cmd + 5, NULL, 10), on_data,
		                              NULL);
		if (rc >= 0)
			printf("idle %d\n", rc);
		return rc < 0 ? rc : 0;
	}
	if (strcmp(cmd, "logout") == 0) {
		rc = correu_imap_session_logout(s);
		if (rc == 0)
			printf("logout\n");
		return rc;
	}
	if (strcmp(cmd, "peak") == 0) {
		printf("peak %zu\n", k->peak);
		return 0;
	}
	return CORREU_ERR_ARG;
}

static void report_ready(correu_imap_session *s)
{
	correu_imap_client *c = correu_imap_session_client(s);
	size_t len;
	const char *mechs = correu_imap_client_sasl_mechs(c, &len);

	printf("ready tls=%d caps=0x%x sasl=%.*s\n", correu_imap_client_is_tls(c),
	       correu_imap_client_caps(c), (int)len, mechs ? mechs : "");
}

static int fail(correu_imap_session *s, const char *what, int rc)
{
	const char *text = "";

	if (s)
		(void)correu_imap_session_last_response(s, &text, NULL);
	printf("error %s %s %s\n", what, correu_err_name(rc), text);
	correu_imap_session_free(s);
	return 1;
}

int main(int argc, char **argv)
{
	static correu_logger logger = { CORREU_LOGGER_VERSION, CORREU_LOG_INFO, driver_log_line,
		                        NULL };
	const char *password = getenv("CORREU_PASSWORD");
	struct counting k;
	correu_imap_settings set;
	correu_imap_session_options o;
	correu_imap_session *s = NULL;
	correu_tls_config *tls = NULL;
	struct driver_args a;
	int rc, i;

	if (driver_args_parse(argc, argv, false, &a) < 0 || !password)
		return driver_usage("imap_driver", false);
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&k, 0, sizeof(k));
	k.table.version = CORREU_ALLOCATOR_VERSION;
	k.table.user = &k;
	k.table.alloc = c_alloc;
	k.table.realloc = c_realloc;
	k.table.free = c_free;
	correu_imap_settings_init(&set);
	set.tls_policy = a.no_tls ? CORREU_IMAP_TLS_NONE : CORREU_IMAP_TLS_REQUIRED;
	set.logger = &logger;
	set.allocator = &k.table;
	correu_imap_session_options_init(&o);
	o.tls_mode = a.implicit ? CORREU_IMAP_SESSION_IMPLICIT : CORREU_IMAP_SESSION_STARTTLS;
	o.settings = &set;
	if (a.ca_file) {
		if ((rc = correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &tls)) < 0 ||
		    (rc = correu_tls_config_set_ca_file(tls, a.ca_file)) < 0)
			return fail(NULL, "tls", rc);
		o.tls = tls;
	}
	rc = correu_imap_session_open(a.host, a.port, &o, &s);
	if (rc < 0) {
		correu_tls_config_free(tls);
		return fail(NULL, "open", rc);
	}
	report_ready(s);
	rc = correu_imap_session_login(s, a.user, password);
	if (rc < 0) {
		fail(s, "login", rc);
		correu_tls_config_free(tls);
		return 1;
	}
	printf("login ok enabled=0x%x\n",
	       correu_imap_client_enabled(correu_imap_session_client(s)));
	for (i = optind; i < argc; i++) {
		rc = step(s, &k, argv[i]);
		if (rc < 0) {
			fail(s, argv[i], rc);
			correu_tls_config_free(tls);
			return 1;
		}
	}
	correu_imap_session_free(s);
	correu_tls_config_free(tls);
	return 0;
}
