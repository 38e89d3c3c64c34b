/*
 * libFuzzer harness for the IMAP command builder (IMAP layer): commands
 * are built from fuzzed names, strings, mailbox names, raw syntax, raw
 * commands and literals under fuzzed capabilities (LITERAL+, LITERAL-,
 * BINARY, UTF8=ACCEPT), and every byte the client writes is checked by a
 * small reference grammar written here, independent of the builder: tags
 * "A<n>" in increasing order; no CR, LF or NUL outside literals; every
 * literal header "{n}", "{n+}" or "~{n}" followed by CRLF and exactly n
 * bytes (NUL only in literal8); nothing of a synchronizing literal before
 * the server's "+", which the harness sends only when the grammar says the
 * client must be waiting for it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "correu/imap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum gstate {
	G_TAG,
	G_TEXT,
	G_AWAIT_PLUS,
	G_LITERAL
};

struct grammar {
	enum gstate st;
	uint64_t last_tag, tag;
	bool tag_a, tag_digits;
	char tail[32]; /* the last bytes of text since CRLF or a literal */
	size_t tail_len;
	bool cr;
	uint64_t lit_left;
	bool lit_binary;
};

struct lit {
	const uint8_t *p;
	size_t len, pos;
};

/* Whether the text before a CRLF ends in a literal header. */
static bool header(const struct grammar *g, uint64_t *n, bool *sync, bool *binary)
{
	size_t i = g->tail_len, d;

	if (i == 0 || g->tail[i - 1] != '}')
		return false;
	i--;
	*sync = !(i > 0 && g->tail[i - 1] == '+');
	if (!*sync)
		i--;
	d = i;
	while (d > 0 && g->tail[d - 1] >= '0' && g->tail[d - 1] <= '9')
		d--;
	if (d == i || d == 0 || g->tail[d - 1] != '{')
		return false;
	*n = 0;
	for (size_t k = d; k < i; k++)
		*n = *n * 10 + (uint64_t)(g->tail[k] - '0');
	*binary = d > 1 && g->tail[d - 2] == '~';
	return true;
}

static void push_tail(struct grammar *g, char ch)
{
	if (g->tail_len == sizeof(g->tail)) {
		memmove(g->tail, g->tail + 1, sizeof(g->tail) - 1);
		g->tail_len--;
	}
	g->tail[g->tail_len++] = ch;
}

static void check_byte(struct grammar *g, uint8_t b)
{
	uint64_t n;
	bool sync, binary;

	switch (g->st) {
	case G_AWAIT_PLUS: __builtin_trap(); /* literal data before the "+" */
	case G_LITERAL:
		if (b == 0 && !g->lit_binary)
			__builtin_trap();
		if (--g->lit_left == 0) {
			g->st = G_TEXT;
			g->tail_len = 0;
		}
		return;
	case G_TAG:
		if (!g->tag_a) {
			if (b != 'A')
				__builtin_trap();
			g->tag_a = true;
			return;
		}
		if (b >= '0' && b <= '9') {
			if (!g->tag_digits && b == '0')
				__builtin_trap();
			g->tag = g->tag * 10 + (uint64_t)(b - '0');
			g->tag_digits = true;
			if (g->tag > UINT32_MAX)
				__builtin_trap();
			return;
		}
		if (b != ' ' || !g->tag_digits || g->tag <= g->last_tag)
			__builtin_trap();
		g->last_tag = g->tag;
		g->tag = 0;
		g->tag_a = false;
		g->tag_digits = false;
		g->tail_len = 0;
		g->st = G_TEXT;
		return;
	case G_TEXT:
		if (g->cr) {
			if (b != '\n')
				__builtin_trap(); /* a bare CR */
			g->cr = false;
			if (!header(g, &n, &sync, &binary)) {
				g->st = G_TAG;
				return;
			}
			g->lit_binary = binary;
			g->lit_left = n;
			g->tail_len = 0;
			g->st = sync ? G_AWAIT_PLUS : (n ? G_LITERAL : G_TEXT);
			return;
		}
		if (b == '\n' || b == 0)
			__builtin_trap();
		if (b == '\r')
			g->cr = true;
		else
			push_tail(g, (char)b);
		return;
	}
}

/* What the harness expects of a run: a NUL in a literal that is not a
 * literal8 must make the client fail with CORREU_ERR_ARG when it reads it;
 * no other failure is allowed. */
struct run {
	int nul_expected;
	int failed;
};

static void drain(correu_imap_client *c, struct grammar *g, const struct run *r)
{
	while (!r->failed) {
		size_t len;
		const uint8_t *p = correu_imap_client_send_buf(c, &len);

		if (p && len) {
			for (size_t i = 0; i < len; i++)
				check_byte(g, p[i]);
			if (correu_imap_client_send_ack(c, len) < 0)
				return;
			continue;
		}
		if (g->st != G_AWAIT_PLUS)
			return;
		/* The grammar says the client now waits for "+": a client that
		 * does not is wrong too. */
		if (correu_imap_client_recv(c, (const uint8_t *)"+ go\r\n", 6, 0) < 0 && !r->failed)
			__builtin_trap();
		g->st = g->lit_left ? G_LITERAL : G_TEXT;
	}
}

static correu_ssize reader(uint8_t *buf, size_t len, void *userdata)
{
	struct lit *l = userdata;
	size_t n = l->len - l->pos;

	if (n == 0)
		__builtin_trap(); /* asked for more than the literal's size */
	if (n > len)
		n = len;
	memcpy(buf, l->p + l->pos, n);
	l->pos += n;
	return (correu_ssize)n;
}

static int on_event(const correu_imap_client_event *ev, void *userdata)
{
	struct run *r = userdata;

	if (ev->type == CORREU_IMAP_CLIENT_EV_ERROR) {
		if (!r->nul_expected || ev->error != CORREU_ERR_ARG)
			__builtin_trap();
		r->failed = 1;
	}
	return 0;
}

static correu_imap_client *start(uint8_t mode, struct grammar *g, struct run *r)
{
	static const char enabled[] = "* ENABLED UTF8=ACCEPT\r\nA1 OK\r\n";
	correu_imap_settings s;
	correu_imap_client *c;
	char greet[160];
	int n;

	correu_imap_settings_init(&s);
	s.tls_policy = CORREU_IMAP_TLS_IMPLICIT;
	s.max_quoted = 1u + (uint32_t)(mode >> 5) * 8u;
	s.max_output = 1024;
	if (mode & 0x10)
		s.flags |= CORREU_IMAP_NO_LITERAL_PLUS;
	s.on_event = on_event;
	s.event_userdata = r;
	if (correu_imap_client_new(&s, &c) != 0)
		return NULL;
	n = snprintf(greet, sizeof(greet),
	             "* OK [CAPABILITY IMAP4rev2 ENABLE UTF8=ACCEPT%s%s%s] hi\r\n",
	             (mode & 1) ? " LITERAL+" : "", (mode & 2) ? " LITERAL-" : "",
	             (mode & 4) ? " BINARY" : "");
	if (correu_imap_client_recv(c, (const uint8_t *)greet, (size_t)n, 0) != n)
		__builtin_trap();
	if (mode & 8) {
		if (correu_imap_client_enable(c, CORREU_IMAP_CAP_UTF8_ACCEPT) != 1)
			__builtin_trap();
		drain(c, g, r);
		if (correu_imap_client_recv(c, (const uint8_t *)enabled, sizeof(enabled) - 1, 0) <
		    0)
			__builtin_trap();
	}
	return c;
}

/* Results the harness does not act on: refusals are expected. */
static void ignore(int rc)
{
	(void)rc;
}

#define MAX_LITS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct grammar g;
	struct run r;
	struct lit lits[MAX_LITS];
	size_t nlits = 0, off = 1;
	correu_imap_client *c;
	bool building = false;

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	memset(&g, 0, sizeof(g));
	c = start(data[0], &g, &r);
	if (!c)
		return 0;
	while (off + 2 <= size) {
		uint8_t op = data[off] & 7;
		size_t len = data[off + 1];
		const char *arg = (const char *)data + off + 2;

		if (len > size - off - 2)
			len = size - off - 2;
		off += 2 + len;
		switch (op) {
		case 0:
			if (building)
				ignore(correu_imap_client_end(c));
			building = correu_imap_client_begin(c, arg, len) == 0;
			break;
		case 1: ignore(correu_imap_client_add_string(c, arg, len)); break;
		case 2: ignore(correu_imap_client_add_mailbox(c, arg, len)); break;
		case 3: ignore(correu_imap_client_add_raw(c, arg, len)); break;
		case 4:
		case 7:
			if (nlits == MAX_LITS || !building)
				break;
			lits[nlits].p = (const uint8_t *)arg;
			lits[nlits].len = len;
			lits[nlits].pos = 0;
			if (op == 4 && memchr(arg, 0, len))
				r.nul_expected = 1;
			ignore(correu_imap_client_add_literal(
				c, len, op == 7 ? CORREU_IMAP_LITERAL_BINARY : 0, reader,
				&lits[nlits]));
			nlits++;
			break;
		case 5:
			ignore(correu_imap_client_end(c));
			building = false;
			break;
		default: ignore(correu_imap_client_raw(c, arg, len)); break;
		}
		drain(c, &g, &r);
	}
	if (building)
		ignore(correu_imap_client_end(c));
	drain(c, &g, &r);
	/* Every command was written whole. */
	if (!r.failed && (g.st != G_TAG || g.tag_a))
		__builtin_trap();
	correu_imap_client_free(c);
	return 0;
}
