/*
 * libFuzzer harness for the POP3 server core (POP3 layer, server side):
 * arbitrary client bytes against a session on a small in-memory backend
 * (one user "u" with password "p", three messages), fed in slices as the
 * runtime would, one command at a time. The first byte picks the
 * backend's timing (answers now or later), TLS or STLS, plaintext logins,
 * APOP, and whether a shutdown arrives; the second the slice size. When
 * the core asks for STLS the slice in hand is dropped, as the runtime
 * drops bytes pipelined behind it, and the session goes on "in TLS".
 * Checked: the core never fails but by closing, its output is whole lines
 * whenever it waits for input, and nothing is left open at the end.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "correu/pop3_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const bodies[] = {
	"Subject: a\r\n\r\n.dot\r\nline\r\n",
	"Subject: b\r\nX: y\r\n\r\n..\r\n.\r\nend",
	"no header end\r\n",
};

struct fb {
	int later;
	correu_store_req *pending; /* one deferred answer at a time */
	int (*answer)(struct fb *fb, correu_store_req *req);
	uint32_t uid;
	size_t pos[3];
	int sessions, boxes, streams;
	uint32_t deleted; /* bit per UID */
	uint32_t seen;    /* bit per UID: \Seen added (RETR, then QUIT) */
	uint32_t expunged;
};

static int defer(struct fb *fb, correu_store_req *req, int (*fn)(struct fb *, correu_store_req *))
{
	if (!fb->later || fb->pending)
		return fn(fb, req);
	fb->pending = req;
	fb->answer = fn;
	return CORREU_PAUSE;
}

static void run_pending(struct fb *fb)
{
	correu_store_req *req = fb->pending;

	if (!req)
		return;
	fb->pending = NULL;
	(void)fb->answer(fb, req);
}

static int ans_auth(struct fb *fb, correu_store_req *req)
{
	(void)fb;
	return correu_store_complete_user(req, NULL, 0);
}

static int ans_fail(struct fb *fb, correu_store_req *req)
{
	(void)fb;
	return correu_store_complete(req, CORREU_ERR_AUTH);
}

static int b_auth(correu_store_req *req, const char *u, size_t ul, const char *p, size_t pl,
                  void *ud)
{
	int ok = ul == 1 && u[0] == 'u' && pl == 1 && p[0] == 'p';

	return defer(ud, req, ok ? ans_auth : ans_fail);
}

static int ans_session(struct fb *fb, correu_store_req *req)
{
	fb->sessions++;
	return correu_store_complete_handle(req, fb);
}

static int b_session(correu_store_req *req, const char *u, size_t ul, void *ud)
{
	(void)u;
	(void)ul;
	return defer(ud, req, ans_session);
}

static int b_session_close(void *s, void *ud)
{
	(void)s;
	((struct fb *)ud)->sessions--;
	return 0;
}

static int ans_select(struct fb *fb, correu_store_req *req)
{
	correu_store_status st = { .version = CORREU_STORE_STATUS_VERSION,
		                   .items = CORREU_STORE_STATUS_MESSAGES | CORREU_STORE_STATUS_UIDNEXT |
		                            CORREU_STORE_STATUS_UIDVALIDITY,
		                   .messages = 3,
		                   .uidnext = 4,
		                   .uidvalidity = 77 };

	for (uint32_t i = 0; i < 3; i++) {
		correu_store_msg m = { .version = CORREU_STORE_MSG_VERSION,
			               .uid = i + 1,
			               .size = strlen(bodies[i]) };

		if (fb->expunged & (1u << (i + 1)))
			continue;
		if (correu_store_emit_msg(req, &m) < 0)
			return correu_store_complete(req, CORREU_ERR_CANCELLED);
	}
	fb->boxes++;
	return correu_store_complete_box(req, fb, &st);
}

static int b_select(correu_store_req *req, void *s, const char *n, size_t nl, uint32_t flags,
                    correu_store_box *box, void *ud)
{
	(void)s;
	(void)n;
	(void)nl;
	(void)box;
	if (!(flags & CORREU_STORE_SELECT_POP3))
		__builtin_trap();
	return defer(ud, req, ans_select);
}

static int b_box_close(void *b, void *ud)
{
	(void)b;
	((struct fb *)ud)->boxes--;
	return 0;
}

static int ans_open(struct fb *fb, correu_store_req *req)
{
	if (fb->uid < 1 || fb->uid > 3)
		__builtin_trap(); /* the core asked for a UID it was never shown */
	fb->pos[fb->uid - 1] = 0;
	fb->streams++;
	return correu_store_complete_handle(req, (void *)(uintptr_t)fb->uid);
}

static int b_open(correu_store_req *req, void *box, uint32_t uid, void *ud)
{
	struct fb *fb = ud;

	(void)box;
	fb->uid = uid;
	return defer(fb, req, ans_open);
}

static size_t read_max;
static uint32_t read_uid;

static int ans_read(struct fb *fb, correu_store_req *req)
{
	const char *b = bodies[read_uid - 1];
	size_t *pos = &fb->pos[read_uid - 1];
	size_t n = strlen(b) - *pos;

	/* Small chunks, so that a message takes several reads. */
	if (n > read_max)
		n = read_max;
	if (n > 5)
		n = 5;
	*pos += n;
	return correu_store_complete_data(req, (const uint8_t *)b + *pos - n, n);
}

static int b_read(correu_store_req *req, void *stream, size_t max, void *ud)
{
	read_max = max;
	read_uid = (uint32_t)(uintptr_t)stream;
	return defer(ud, req, ans_read);
}

static int b_stream_close(void *s, void *ud)
{
	(void)s;
	((struct fb *)ud)->streams--;
	return 0;
}

static int ans_ok(struct fb *fb, correu_store_req *req)
{
	(void)fb;
	return correu_store_complete(req, 0);
}

static int b_flags(correu_store_req *req, void *box, const uint32_t *r, size_t n, uint32_t mode,
                   uint32_t flags, const char *kw, size_t kwl, uint64_t since, void *ud)
{
	struct fb *fb = ud;
	uint32_t *marks = flags == CORREU_STORE_FLAG_SEEN ? &fb->seen : &fb->deleted;

	(void)box;
	(void)kw;
	(void)kwl;
	(void)since;

	/* QUIT adds \Seen first, then \Deleted, never both to one message. */
	if (mode != CORREU_STORE_FLAGS_ADD ||
	    (flags != CORREU_STORE_FLAG_DELETED && flags != CORREU_STORE_FLAG_SEEN) ||
	    (flags == CORREU_STORE_FLAG_SEEN && fb->deleted))
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		for (uint32_t u = r[2 * i]; u <= r[2 * i + 1] && u <= 3; u++)
			*marks |= 1u << u;
	if (fb->seen & fb->deleted)
		__builtin_trap();
	return defer(fb, req, ans_ok);
}

static int b_expunge(correu_store_req *req, void *box, const uint32_t *r, size_t n, void *ud)
{
	struct fb *fb = ud;

	(void)box;
	(void)r;
	(void)n;
	fb->expunged |= fb->deleted;
	return defer(fb, req, ans_ok);
}

static void ignore(int rc)
{
	(void)rc;
}

static int apop_secret(const char *u, size_t ul, char *buf, size_t cap, size_t *len, void *ud)
{
	(void)u;
	(void)ul;
	(void)ud;
	if (cap < 1)
		return CORREU_ERR_INTERNAL;
	buf[0] = 'p';
	*len = 1;
	return 0;
}

static int fixed_random(uint8_t *buf, size_t len, void *ud)
{
	(void)ud;
	memset(buf, 'r', len);
	return 0;
}

/* Write everything the core offers; its output must be whole lines when
 * it is ready for the next command. */
static void drain(const correu_server_core *core, void *sess)
{
	const uint8_t *p;
	size_t n;
	uint8_t last = '\n';

	while (core->send_buf(&p, &n, sess) == 0 && n) {
		last = p[n - 1];
		if (core->send_ack(n, sess) < 0)
			__builtin_trap();
	}
	if ((core->want(sess) & CORREU_SERVER_WANT_READ) && last != '\n')
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const correu_store_backend table = {
		.version = CORREU_STORE_BACKEND_VERSION,
		.auth_password = b_auth,
		.session_open = b_session,
		.session_close = b_session_close,
		.select = b_select,
		.box_close = b_box_close,
		.message_open = b_open,
		.stream_read = b_read,
		.stream_close = b_stream_close,
		.set_flags = b_flags,
		.expunge = b_expunge,
	};
	const correu_server_core *core = correu_pop3_server_core();
	struct fb fb;
	correu_store *st = NULL;
	correu_pop3_service *svc = NULL;
	correu_pop3_server_settings set;
	correu_server_peer peer = { .version = CORREU_SERVER_PEER_VERSION,
		                    .conn_id = 1,
		                    .addr = "192.0.2.1",
		                    .local_addr = "192.0.2.2" };
	void *sess = NULL;
	size_t slice, i = 2;
	uint8_t mode;
	int shut = 0;

	if (size < 2)
		return 0;
	mode = data[0];
	slice = (size_t)(data[1] % 64) + 1;
	memset(&fb, 0, sizeof(fb));
	fb.later = mode & 1;
	peer.flags = (mode & 2) ? CORREU_SERVER_PEER_TLS : CORREU_SERVER_PEER_STARTTLS;
	if (correu_pop3_server_settings_init(&set) < 0)
		return 0;
	set.max_line = 64;
	set.max_auth_line = 128;
	set.max_errors = 50;
	set.max_chunk = 512;
	set.max_output = 2048;
	set.random = fixed_random;
	if (mode & 4)
		set.flags |= CORREU_POP3_SERVER_PLAINTEXT_AUTH;
	if (mode & 8)
		set.apop_secret = apop_secret;
	if (correu_store_new(&table, &fb, NULL, NULL, &st) < 0)
		return 0;
	if (correu_pop3_service_new(&set, st, NULL, &svc) < 0 ||
	    core->open(&peer, NULL, &sess, svc) < 0)
		__builtin_trap();
	drain(core, sess);
	while (i < size) {
		int w = core->want(sess), n = 0;
		size_t len = size - i < slice ? size - i : slice;

		if (w & CORREU_SERVER_WANT_CLOSE)
			break;
		if (w & CORREU_SERVER_WANT_STARTTLS) {
			/* The upgrade point: what was read with the command is
			 * dropped unseen. */
			i += len;
			if (core->event(CORREU_SERVER_EV_TLS_STARTED, len, 0, sess) < 0)
				break;
		} else if (w & CORREU_SERVER_WANT_READ) {
			n = core->recv(data + i, len, 0, sess);
			if (n < 0)
				break;
			i += (size_t)n;
		}
		drain(core, sess);
		if (n == 0 && !(w & CORREU_SERVER_WANT_STARTTLS)) {
			/* The core waits for the backend, or for nothing. */
			if (!fb.pending)
				break;
			run_pending(&fb);
			drain(core, sess);
		}
		if ((mode & 16) && !shut && i > size / 2) {
			shut = 1;
			ignore(core->event(CORREU_SERVER_EV_SHUTDOWN, 1000, 0, sess));
			drain(core, sess);
		}
	}
	while (fb.pending) {
		run_pending(&fb);
		drain(core, sess);
	}
	ignore(core->event(CORREU_SERVER_EV_PEER_CLOSED, 0, 0, sess));
	drain(core, sess);
	core->close(sess);
	run_pending(&fb);
	if (correu_store_live_requests(st) != 0 || fb.sessions || fb.boxes || fb.streams)
		__builtin_trap();
	correu_pop3_service_free(svc);
	correu_store_free(st);
	return 0;
}
