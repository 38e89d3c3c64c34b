/*
 * Durability and concurrency of delivery. A child delivers in a loop and
 * reports every acknowledged UID through a pipe; the parent SIGKILLs it at
 * random moments and then checks that every acknowledged message is there,
 * intact, and that no partial message ever became visible. Two processes
 * delivering at once must get unique UIDs in their order of arrival.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "store_test.h"

static uint32_t fnv(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

/* A message whose header names its writer, sequence and body checksum. */
static size_t make_msg(char *buf, size_t cap, long pid, unsigned seq)
{
	char body[24000];
	size_t blen = 200 + (seq * 7919u + (unsigned)pid) % 20000, n;

	for (size_t i = 0; i < blen; i++)
		body[i] = (i % 77 == 76) ? '\n' : (char)('a' + (i * 31 + seq) % 26);
	n = (size_t)snprintf(buf, cap, "X-Writer: %ld\nX-Seq: %u\nX-Sum: %08x\n\n", pid, seq,
	                     fnv(body, blen));
	memcpy(buf + n, body, blen);
	return n + blen;
}

/* Check one message's checksum; return its writer and sequence. */
static bool intact(const char *text, size_t len, long *pid, unsigned *seq)
{
	unsigned sum;
	const char *body = strstr(text, "\n\n");

	if (!body || sscanf(text, "X-Writer: %ld\nX-Seq: %u\nX-Sum: %08x", pid, seq, &sum) != 3)
		return false;
	body += 2;
	return fnv(body, len - (size_t)(body - text)) == sum;
}

static char *read_all(correu_maildir_box *box, uint32_t uid, size_t *len)
{
	char *buf = malloc(1 << 16);
	int fd;
	ssize_t n;

	cr_assert_eq(correu_maildir_box_open_fd(box, uid, &fd), 0, "uid %u", uid);
	*len = 0;
	while ((n = read(fd, buf + *len, (1 << 16) - 1 - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	buf[*len] = '\0';
	return buf;
}

/* The child: deliver forever (or `count` times), reporting each UID. */
static void writer(const char *root, int out, unsigned count)
{
	correu_maildir *md = NULL;
	correu_maildir_box *box = NULL;
	static char msg[32000];

	if (correu_maildir_open(root, strlen(root), NULL, NULL, NULL, &md) != 0 ||
	    correu_maildir_box_open(md, "INBOX", 5, &box) != 0)
		_exit(2);
	for (unsigned seq = 0; count == 0 || seq < count; seq++) {
		correu_maildir_delivery *d;
		size_t len = make_msg(msg, sizeof(msg), (long)getpid(), seq), off = 0;
		uint32_t uid;
		char line[64];

		if (correu_maildir_delivery_begin(box, &d) != 0)
			_exit(3);
		while (off < len) {
			size_t n = 1 + (off * 13 + seq) % 3000;

			if (n > len - off)
				n = len - off;
			if (correu_maildir_delivery_write(d, (const uint8_t *)msg + off, n) != 0)
				_exit(4);
			off += n;
		}
		if (correu_maildir_delivery_commit(d, &uid) != 0)
			_exit(5);
		int k = snprintf(line, sizeof(line), "%u %ld %u\n", uid, (long)getpid(), seq);
		if (write(out, line, (size_t)k) != k)
			_exit(6);
	}
	_exit(0);
}

struct ack {
	uint32_t uid;
	long pid;
	unsigned seq;
};

static size_t read_acks(int fd, struct ack *acks, size_t n, size_t cap)
{
	static char buf[1 << 20];
	size_t len = 0;
	ssize_t r;

	while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	for (char *p = buf; *p && n < cap;) {
		char *nl = strchr(p, '\n');

		if (!nl)
			break; /* a report cut by the kill: not an ack the test trusts */
		if (sscanf(p, "%u %ld %u", &acks[n].uid, &acks[n].pid, &acks[n].seq) == 3)
			n++;
		p = nl + 1;
	}
	return n;
}

Test(crash, sigkill_during_deliveries_loses_nothing_acknowledged, .timeout = 120)
{
	char root[64];
	static struct ack acks[200000];
	size_t nacks = 0, kills = 0;
	struct timespec t0, t;
	correu_maildir *md;
	correu_maildir_box *box;

	st_mkdtemp(root, sizeof(root));
	srand((unsigned)time(NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		int pfd[2];
		pid_t pid;

		cr_assert_eq(pipe(pfd), 0);
		pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			close(pfd[0]);
			writer(root, pfd[1], 0);
		}
		close(pfd[1]);
		usleep(5000 + (useconds_t)(rand() % 120000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		nacks = read_acks(pfd[0], acks, nacks, sizeof(acks) / sizeof(acks[0]));
		close(pfd[0]);
		kills++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (kills < 20 && t.tv_sec - t0.tv_sec < 8);

	cr_assert_gt(nacks, 0, "no delivery was acknowledged at all");
	md = st_open(root);
	box = st_box(md, "INBOX");
	/* Every acknowledged message is there under its UID, intact. */
	for (size_t i = 0; i < nacks; i++) {
		size_t len;
		long pid;
		unsigned seq;
		char *text = read_all(box, acks[i].uid, &len);

		cr_assert(intact(text, len, &pid, &seq), "uid %u damaged", acks[i].uid);
		cr_assert_eq(pid, acks[i].pid);
		cr_assert_eq(seq, acks[i].seq);
		free(text);
	}
	/* Nothing partial is visible: every message in new/ and cur/ is whole. */
	for (size_t i = 0; i < correu_maildir_box_count(box); i++) {
		correu_maildir_msg m = {.version = CORREU_MAILDIR_MSG_VERSION};
		size_t len;
		long pid;
		unsigned seq;

		cr_assert_eq(correu_maildir_box_message(box, i, &m), 0);
		char *text = read_all(box, m.uid, &len);
		cr_assert(intact(text, len, &pid, &seq), "visible partial message uid %u", m.uid);
		cr_assert_eq(len, m.size);
		free(text);
	}
	cr_assert_geq(correu_maildir_box_count(box), nacks);
	correu_maildir_box_close(box);
	correu_maildir_free(md);
	st_rm_tree(root);
}

Test(concurrent, two_writers_get_unique_increasing_uids, .timeout = 120)
{
	enum { PER = 150 };
	char root[64];
	static struct ack acks[2 * PER];
	int pfd[2];
	pid_t pids[2];
	size_t n;
	correu_maildir *md;
	correu_maildir_box *box;

	st_mkdtemp(root, sizeof(root));
	md = st_open(root);
	box = st_box(md, "INBOX"); /* the uidlist exists before the race */
	correu_maildir_box_close(box);
	cr_assert_eq(pipe(pfd), 0);
	for (int w = 0; w < 2; w++) {
		pids[w] = fork();
		cr_assert_geq(pids[w], 0);
		if (pids[w] == 0) {
			close(pfd[0]);
			writer(root, pfd[1], PER);
		}
	}
	close(pfd[1]);
	for (int w = 0; w < 2; w++) {
		int status;

		waitpid(pids[w], &status, 0);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer failed: %d", status);
	}
	n = read_acks(pfd[0], acks, 0, 2 * PER);
	close(pfd[0]);
	cr_assert_eq(n, 2 * PER);

	box = st_box(md, "INBOX");
	cr_assert_eq(correu_maildir_box_count(box), 2 * PER);
	/* UIDs unique, and each writer's UIDs increase with its sequence. */
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			cr_assert_neq(acks[i].uid, acks[j].uid);
			if (acks[i].pid == acks[j].pid)
				cr_assert_eq(acks[i].seq < acks[j].seq, acks[i].uid < acks[j].uid);
		}
		size_t len;
		long pid;
		unsigned seq;
		char *text = read_all(box, acks[i].uid, &len);

		cr_assert(intact(text, len, &pid, &seq));
		cr_assert_eq(pid, acks[i].pid);
		cr_assert_eq(seq, acks[i].seq);
		free(text);
	}
	/* The first UIDs of an empty folder are 1..2*PER, none skipped. */
	cr_assert_eq(correu_maildir_box_uidnext(box), 2 * PER + 1);
	correu_maildir_box_close(box);
	correu_maildir_free(md);
	st_rm_tree(root);
}

/* Another program (a MUA without Dovecot's lock) renames files for flag
 * changes all the time: readdir may skip a file being renamed, but no sync
 * may take a message for expunged, or give it a new UID. */
Test(concurrent, renames_during_syncs_lose_no_message, .timeout = 120)
{
	/* More entries than one getdents() call returns, so that readdir
	 * really can miss a file renamed behind its cursor. */
	enum { N = 3000 };
	char root[64], p[256];
	correu_maildir *md;
	correu_maildir_box *box;
	pid_t pid;

	st_mkdtemp(root, sizeof(root));
	md = st_open(root);
	for (unsigned i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "%s/cur/%u.M%uP1.churn.example.org:2,", root, 1700000000 + i, i);
		st_write_file(p, "Subject: x\n\nchurn\n");
	}
	box = st_box(md, "INBOX");
	cr_assert_eq(correu_maildir_box_count(box), N);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		static char names[N][512];
		char dir[128], from[800], to[800];
		size_t n = 0;
		DIR *d;
		struct dirent *e;

		snprintf(dir, sizeof(dir), "%s/cur", root);
		d = opendir(dir);
		while (d && (e = readdir(d)) != NULL && n < N) {
			if (e->d_name[0] != '.')
				snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
		}
		if (d)
			closedir(d);
		/* Bounded, so a failed test never leaves it running. */
		for (time_t end = time(NULL) + 20; time(NULL) < end;) {
			for (size_t i = 0; i < n; i++) {
				size_t len = strlen(names[i]);

				snprintf(from, sizeof(from), "%s/%s", dir, names[i]);
				/* toggle between ":2," and ":2,F" */
				if (names[i][len - 1] == 'F')
					names[i][len - 1] = '\0';
				else
					names[i][len] = 'F', names[i][len + 1] = '\0';
				snprintf(to, sizeof(to), "%s/%s", dir, names[i]);
				if (rename(from, to) != 0)
					_exit(1);
			}
		}
		_exit(0);
	}
	usleep(20000);
	for (int round = 0; round < 30; round++) {
		cr_assert_eq(correu_maildir_box_sync(box), 0);
		cr_assert_eq(correu_maildir_box_count(box), N, "round %d", round);
		for (uint32_t uid = 1; uid <= N; uid++)
			cr_assert_eq(correu_maildir_box_find(box, uid, &(size_t){0}), 0);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	cr_assert_eq(correu_maildir_box_sync(box), 0);
	cr_assert_eq(correu_maildir_box_count(box), N);
	cr_assert_eq(correu_maildir_box_uidnext(box), N + 1);
	for (uint32_t uid = 1; uid <= N; uid += 97) {
		char *text = st_read(box, uid);

		cr_assert_str_eq(text, "Subject: x\n\nchurn\n");
		free(text);
	}
	correu_maildir_box_close(box);
	correu_maildir_free(md);
	st_rm_tree(root);
}
