/*
 * A small in-memory backend for the backend-interface tests: one user,
 * a few mailboxes with messages, deliveries kept in memory. Each callback
 * answers either now or later (queued until memback_run()), chosen per
 * test, so the same scenario runs through both paths of the contract.
 */
#ifndef CORREU_TEST_MEMBACK_H
#define CORREU_TEST_MEMBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correu/store.h"

#define MB_BOXES 6
#define MB_MSGS 16
#define MB_QUEUE 16
#define MB_RCPTS 8

struct mb_msg {
	uint32_t uid, flags;
	uint64_t modseq;
	char body[256];
	char keywords[64];
};

struct mb_box {
	bool exists, subscribed;
	char name[32];
	uint32_t use, uidvalidity, uidnext;
	uint64_t highestmodseq;
	size_t count;
	struct mb_msg msgs[MB_MSGS];
};

struct memback;

/* One call waiting to be answered (or answered now), with its arguments. */
struct mb_call {
	correu_store_req *req;
	int (*run)(struct memback *mb, struct mb_call *c);
	void *h;
	const char *s1, *s2;
	size_t l1, l2;
	uint32_t u1, u2, u3;
	uint64_t u64;
	int64_t i64;
	const uint32_t *ranges;
	size_t n;
	const uint8_t *data;
	size_t dlen;
	const void *ptr;
};

struct mb_stream {
	const struct mb_msg *msg;
	size_t pos;
};

struct mb_append {
	struct mb_box *box;
	char buf[256];
	size_t len;
	uint32_t flags;
};

struct mb_delivery {
	char from[64];
	char data[512];
	size_t len;
	uint32_t nrcpt;
	bool ok[MB_RCPTS];
	char rcpt[MB_RCPTS][64];
};

struct memback {
	bool later; /* answer every call later */
	bool lazy;  /* return 0 without completing (a bug) */
	int auth_error; /* non-zero: every credential check completes with it */
	struct mb_call queue[MB_QUEUE];
	size_t queued;
	struct mb_box boxes[MB_BOXES];
	int session_token; /* the "session" handle points here */
	long sessions_open, boxes_open, streams_open, appends_open, deliveries_open;
	long cancels, destroyed;
	correu_store_box *last_box;
	char delivered[4][512]; /* message stored for each accepted rcpt */
	size_t ndelivered;
	char envelope[256]; /* the last deliver_begin's envelope, as text */
	correu_sasl_scram_keys keys; /* alice's, SCRAM-SHA-256 */
};

/* A fresh backend with INBOX (3 messages), Sent (\Sent) and Archive. */
void memback_init(struct memback *mb);
/* The full table. */
const correu_store_backend *memback_table(void);
/* Answer every queued call, in order; returns how many. */
size_t memback_run(struct memback *mb);

#define MB_USER "alice"
#define MB_PASSWORD "pencil"
#define MB_TOKEN "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg"

#endif
