/*
 * Maildir store benchmark (store layer): durable deliveries of 4 KiB
 * messages into a fresh Maildir through correu_maildir_delivery_*, each
 * fsynced, renamed into new/, new/ fsynced and given a UID in
 * dovecot-uidlist. In the same run, the same count of bare durable writes
 * (write, fsync, rename into new/, fsync new/) is timed as the floor any
 * safe Maildir delivery must pay; the ratio says what UIDs and locking cost.
 * Dovecot LMTP comes into the comparison with correu's LMTP server. Run on
 * demand, never as a timed test:
 *   bench_maildir [messages] [directory]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "correu/maildir.h"

#define MSG_SIZE 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_msg(uint8_t *m)
{
	int n = snprintf((char *)m, MSG_SIZE, "From: bench@localhost\r\nSubject: bench\r\n\r\n");

	for (size_t i = (size_t)n; i < MSG_SIZE; i++)
		m[i] = (i % 78 == 76) ? '\r' : (i % 78 == 77) ? '\n' : (uint8_t)('a' + i % 26);
}

struct store_run {
	correu_maildir *md;
	correu_maildir_box *box;
	unsigned done;
};

static double run_store(struct store_run *r, const uint8_t *msg, unsigned count)
{
	double t0 = now();

	for (unsigned i = 0; i < count; i++) {
		correu_maildir_delivery *d;
		uint32_t uid;

		if (correu_maildir_delivery_begin(r->box, &d) != 0)
			exit(1);
		for (size_t off = 0; off < MSG_SIZE; off += 1024) {
			if (correu_maildir_delivery_write(d, msg + off, 1024) != 0)
				exit(1);
		}
		if (correu_maildir_delivery_commit(d, &uid) != 0 || uid != ++r->done)
			exit(1);
	}
	return now() - t0;
}

/* The floor: what a durable Maildir delivery cannot avoid. */
static double run_floor(const char *dir, unsigned *done, const uint8_t *msg, unsigned count)
{
	char tmp[4200], dst[4200], nd[4100];
	double t0 = now();

	snprintf(nd, sizeof(nd), "%s/new", dir);
	for (unsigned i = 0; i < count; i++, ++*done) {
		int fd, dfd;

		snprintf(tmp, sizeof(tmp), "%s/t%u", dir, *done);
		snprintf(dst, sizeof(dst), "%s/m%u", nd, *done);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			exit(1);
		for (size_t off = 0; off < MSG_SIZE; off += 1024) {
			if (write(fd, msg + off, 1024) != 1024)
				exit(1);
		}
		if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, dst) != 0)
			exit(1);
		dfd = open(nd, O_RDONLY | O_DIRECTORY);
		if (dfd < 0 || fsync(dfd) != 0)
			exit(1);
		close(dfd);
	}
	return now() - t0;
}

static void rm_rf(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
	unsigned count = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 2000;
	const char *base = argc > 2 ? argv[2] : "/tmp";
	char a[4096], b[4096], nd[4200];
	static uint8_t msg[MSG_SIZE];
	struct store_run r = {NULL, NULL, 0};
	unsigned floor_done = 0, rounds = 10;
	double ts = 0, tf = 0;

	if (count < rounds || count > 1000000) {
		fprintf(stderr, "usage: bench_maildir [messages 10..1000000] [directory]\n");
		return 2;
	}
	make_msg(msg);
	snprintf(a, sizeof(a), "%s/correu-bench-store-%ld", base, (long)getpid());
	snprintf(b, sizeof(b), "%s/correu-bench-floor-%ld", base, (long)getpid());
	snprintf(nd, sizeof(nd), "%s/new", b);
	if (mkdir(b, 0700) != 0 || mkdir(nd, 0700) != 0 ||
	    correu_maildir_open(a, strlen(a), NULL, NULL, NULL, &r.md) != 0 ||
	    correu_maildir_box_open(r.md, "INBOX", 5, &r.box) != 0) {
		fprintf(stderr, "cannot create the Maildirs under %s\n", base);
		return 1;
	}
	/* Interleaved rounds, alternating which goes first, so a busy disk
	 * weighs on both alike. */
	for (unsigned i = 0; i < rounds; i++) {
		unsigned n = count / rounds + (i < count % rounds);

		if (i % 2) {
			ts += run_store(&r, msg, n);
			tf += run_floor(b, &floor_done, msg, n);
		} else {
			tf += run_floor(b, &floor_done, msg, n);
			ts += run_store(&r, msg, n);
		}
	}
	correu_maildir_box_close(r.box);
	correu_maildir_free(r.md);
	rm_rf(a);
	rm_rf(b);
	printf("maildir delivery, %u x %d bytes, fsync on, in %s\n", count, MSG_SIZE, base);
	printf("  correu store       %8.0f msg/s\n", count / ts);
	printf("  bare durable write %8.0f msg/s\n", count / tf);
	printf("  ratio store/floor  %8.2f\n", tf / ts);
	return 0;
}
