/* Transcript runner for client cores (see transcript.h). */
#include "transcript.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correu/common.h"
#include "correu/sasl.h"
#include "split.h"

enum step_type { STEP_S = 'S', STEP_C = 'C', STEP_A = 'A', STEP_E = 'E' };

struct step {
	enum step_type type;
	char *bytes; /* unescaped; NUL-terminated for convenience */
	size_t len;
	size_t start;   /* S: offset in the server stream */
	char *expect;   /* A: expected error name, or NULL */
	int line;
};

struct transcript {
	const struct transcript_ops *ops;
	void *ctx;
	const char *name;
	const char *roles; /* the peer's and the core's letters, or NULL */
	struct step *steps;
	size_t nsteps;
	uint8_t *server; /* all S: bytes, in order */
	size_t server_len;

	/* Per run. */
	void *core;
	size_t pos;       /* next step */
	size_t delivered; /* server bytes delivered */
	int dead;         /* recv failed: no more server bytes */
	struct split_out wire;
	char **log;
	size_t nlog, caplog, ev_pos;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	cr_assert(q != NULL, "out of memory in test");
	return q;
}

void transcript_event(transcript *t, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0);
	s = xrealloc(NULL, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (t->nlog == t->caplog) {
		t->caplog = t->caplog ? t->caplog * 2 : 32;
		t->log = xrealloc(t->log, t->caplog * sizeof(*t->log));
	}
	t->log[t->nlog++] = s;
}

void transcript_drain(transcript *t)
{
	for (;;) {
		size_t n = 0;
		const uint8_t *p = t->ops->send_buf(t->core, &n);

		if (!p || n == 0)
			return;
		if (t->wire.len + n + 1 > t->wire.cap) {
			t->wire.cap = (t->wire.len + n + 1) * 2;
			t->wire.text = xrealloc(t->wire.text, t->wire.cap);
		}
		memcpy(t->wire.text + t->wire.len, p, n);
		t->wire.len += n;
		t->ops->send_ack(t->core, n);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape s[0..len) into a new buffer; returns it, length in *out_len. */
static char *unescape(const char *s, size_t len, size_t *out_len, const char *name, int line)
{
	char *o = xrealloc(NULL, len + 3);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\') {
			o[n++] = s[i];
			continue;
		}
		cr_assert(i + 1 < len, "%s:%d: backslash at end of line", name, line);
		switch (s[++i]) {
		case 'r': o[n++] = '\r'; break;
		case 'n': o[n++] = '\n'; break;
		case 't': o[n++] = '\t'; break;
		case '\\': o[n++] = '\\'; break;
		case 'x': {
			int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < len ? hexval(s[i + 2]) : -1;

			cr_assert(hi >= 0 && lo >= 0, "%s:%d: bad \\x escape", name, line);
			o[n++] = (char)(hi * 16 + lo);
			i += 2;
			break;
		}
		default:
			cr_assert_fail("%s:%d: unknown escape \\%c", name, line, s[i]);
		}
	}
	o[n] = '\0';
	*out_len = n;
	return o;
}

static void add_step(transcript *t, struct step st)
{
	t->steps = xrealloc(t->steps, (t->nsteps + 1) * sizeof(*t->steps));
	t->steps[t->nsteps++] = st;
}

/* The step a script letter stands for: with roles (a server core's
 * scripts use "CS") the peer's letter is an S step and the core's a C
 * step; other letters keep their meaning, and unused S/C are refused. */
static char role(const char *roles, char c)
{
	if (!roles)
		return c;
	if (c == roles[0])
		return 'S';
	if (c == roles[1])
		return 'C';
	return c == 'S' || c == 'C' ? '?' : c;
}

/* "@ needs crypto": the script uses what only a build with mbedTLS has
 * (SCRAM, APOP's MD5); without it the test is skipped, not failed. */
static void skip_without_crypto(const transcript *t)
{
	if (correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256) <= 0)
		cr_skip_test("%s needs a build with mbedTLS", t->name);
}

static void parse(transcript *t, const char *text)
{
	int lineno = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct step st;

		lineno++;
		memset(&st, 0, sizeof(st));
		st.line = lineno;
		if (len && p[len - 1] == '\r')
			len--;
		if (len == 0 || p[0] == '#') {
			/* blank or comment */
		} else if (p[0] == '@') {
			char *opt = xrealloc(NULL, len);

			memcpy(opt, p + 1, len - 1);
			opt[len - 1] = '\0';
			if (strcmp(opt + (opt[0] == ' '), "needs crypto") == 0)
				skip_without_crypto(t);
			else
				cr_assert(t->ops->option(t->ctx, opt + (opt[0] == ' ')) >= 0,
				          "%s:%d: unknown option", t->name, lineno);
			free(opt);
		} else {
			bool crlf = len >= 2 && p[1] == ':';
			const char *body = p + 2 + (len > 2 && p[2] == ' ');
			size_t blen = len - (size_t)(body - p);

			char kind = role(t->roles, p[0]);

			cr_assert(len >= 2 && (p[1] == ':' || p[1] == '-') &&
			                  strchr("SCAE", kind) != NULL,
			          "%s:%d: cannot parse line", t->name, lineno);
			st.type = (enum step_type)kind;
			if (st.type == STEP_A) {
				const char *arrow = NULL;

				for (size_t i = 0; i + 3 < blen; i++)
					if (memcmp(body + i, " => ", 4) == 0)
						arrow = body + i;
				if (arrow) {
					size_t elen = blen - (size_t)(arrow + 4 - body);

					st.expect = xrealloc(NULL, elen + 12);
					snprintf(st.expect, elen + 12, "CORREU_ERR_%.*s", (int)elen,
					         arrow + 4);
					blen = (size_t)(arrow - body);
				}
				crlf = false;
			}
			if (st.type == STEP_E)
				crlf = false;
			if (st.type == STEP_E) {
				/* Events are logged escaped: compare as written. */
				st.bytes = xrealloc(NULL, blen + 1);
				memcpy(st.bytes, body, blen);
				st.bytes[blen] = '\0';
				st.len = blen;
			} else
				st.bytes = unescape(body, blen, &st.len, t->name, lineno);
			if (crlf) {
				st.bytes[st.len++] = '\r';
				st.bytes[st.len++] = '\n';
				st.bytes[st.len] = '\0';
			}
			if (st.type == STEP_C && t->nsteps && t->steps[t->nsteps - 1].type == STEP_C) {
				/* Consecutive C: lines are one block. */
				struct step *prev = &t->steps[t->nsteps - 1];

				prev->bytes = xrealloc(prev->bytes, prev->len + st.len + 1);
				memcpy(prev->bytes + prev->len, st.bytes, st.len + 1);
				prev->len += st.len;
				free(st.bytes);
			} else {
				if (st.type == STEP_S) {
					st.start = t->server_len;
					t->server = xrealloc(t->server, t->server_len + st.len);
					memcpy(t->server + t->server_len, st.bytes, st.len);
					t->server_len += st.len;
				}
				add_step(t, st);
			}
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
}

static char *escaped(const char *p, size_t n)
{
	struct split_out o = { NULL, 0, 0 };

	split_out_printf(&o, "%s", "");
	split_out_bytes(&o, (const uint8_t *)p, n);
	return o.text;
}

static void check_wire(transcript *t, const struct step *st)
{
	if (t->wire.len != st->len || memcmp(t->wire.text, st->bytes, st->len) != 0) {
		char *want = escaped(st->bytes, st->len);
		char *got = escaped(t->wire.text ? t->wire.text : "", t->wire.len);

		cr_assert_fail("%s:%d: the core wrote\n  \"%s\"\nexpected\n  \"%s\"", t->name, st->line,
		               got, want);
	}
	t->wire.len = 0;
}

static void check_event(transcript *t, const struct step *st)
{
	for (size_t i = t->ev_pos; i < t->nlog; i++) {
		/* A line matches an event equal to it, or one it begins up to
		 * a space (so scripts may leave out the reply text). */
		if (strcmp(t->log[i], st->bytes) == 0 ||
		    (strncmp(t->log[i], st->bytes, st->len) == 0 && t->log[i][st->len] == ' ')) {
			t->ev_pos = i + 1;
			return;
		}
	}
	{
		struct split_out o = { NULL, 0, 0 };

		split_out_printf(&o, "%s", "");
		for (size_t i = 0; i < t->nlog; i++)
			split_out_printf(&o, "%s  %s\n", i < t->ev_pos ? "(seen)" : "", t->log[i]);
		cr_assert_fail("%s:%d: event \"%s\" not found; the log is:\n%s", t->name, st->line,
		               st->bytes, o.text);
	}
}

static void run_action(transcript *t, const struct step *st)
{
	const char *sp = strchr(st->bytes, ' ');
	size_t vlen = sp ? (size_t)(sp - st->bytes) : st->len;
	char verb[32];
	const char *args = sp ? sp + 1 : "";
	size_t alen = sp ? st->len - vlen - 1 : 0;
	int rc;

	cr_assert(vlen < sizeof(verb), "%s:%d: verb too long", t->name, st->line);
	memcpy(verb, st->bytes, vlen);
	verb[vlen] = '\0';
	rc = t->ops->action(t->core, t, verb, args, alen);
	transcript_drain(t);
	if (st->expect)
		cr_assert_str_eq(correu_err_name(rc), st->expect, "%s:%d: %s returned %s", t->name,
		                 st->line, verb, correu_err_name(rc));
	else
		cr_assert_geq(rc, 0, "%s:%d: %s failed with %s", t->name, st->line, verb,
		              correu_err_name(rc));
	transcript_event(t, "action %s -> %s", verb, rc < 0 ? correu_err_name(rc) : "ok");
}

/* Run the steps that come before the next server bytes. */
static void run_steps(transcript *t)
{
	while (t->pos < t->nsteps) {
		const struct step *st = &t->steps[t->pos];

		if (st->type == STEP_S) {
			if (t->delivered < st->start + st->len)
				return;
		} else if (st->type == STEP_C)
			check_wire(t, st);
		else if (st->type == STEP_E)
			check_event(t, st);
		else
			run_action(t, st);
		t->pos++;
	}
}

static void t_reset(void *ctx)
{
	transcript *t = ctx;

	if (t->core)
		t->ops->close(t->core);
	for (size_t i = 0; i < t->nlog; i++)
		free(t->log[i]);
	t->nlog = 0;
	t->ev_pos = 0;
	t->pos = 0;
	t->delivered = 0;
	t->dead = 0;
	t->wire.len = 0;
	t->core = t->ops->open(t, t->ctx);
	transcript_drain(t);
}

static int t_feed(void *ctx, const uint8_t *p, size_t n, struct split_out *out)
{
	transcript *t = ctx;

	(void)out;
	while (n > 0) {
		const struct step *st;
		size_t k;

		run_steps(t);
		cr_assert(t->pos < t->nsteps && t->steps[t->pos].type == STEP_S);
		st = &t->steps[t->pos];
		k = st->start + st->len - t->delivered;
		if (k > n)
			k = n;
		if (!t->dead) {
			int rc = t->ops->recv(t->core, p, k);

			if (rc < 0) {
				t->dead = 1;
				transcript_event(t, "recv failed %s", correu_err_name(rc));
			}
			transcript_drain(t);
		}
		t->delivered += k;
		p += k;
		n -= k;
		if (t->delivered == st->start + st->len)
			t->pos++;
	}
	return 0;
}

static void t_finish(void *ctx, struct split_out *out)
{
	transcript *t = ctx;

	run_steps(t);
	cr_assert_eq(t->wire.len, 0, "%s: the core wrote bytes no script line checks: \"%s\"",
	             t->name, escaped(t->wire.text, t->wire.len));
	for (size_t i = 0; i < t->nlog; i++)
		split_out_printf(out, "%s\n", t->log[i]);
	t->ops->close(t->core);
	t->core = NULL;
}

void transcript_run_text(const struct transcript_ops *ops, void *ctx, const char *text,
                         const char *name)
{
	transcript_run_text_roles(ops, ctx, text, name, NULL);
}

void transcript_run_text_roles(const struct transcript_ops *ops, void *ctx, const char *text,
                               const char *name, const char *roles)
{
	static const struct split_ops sops = { t_reset, t_feed, t_finish };
	transcript t;
	char *res;

	memset(&t, 0, sizeof(t));
	t.ops = ops;
	t.ctx = ctx;
	t.name = name;
	t.roles = roles;
	parse(&t, text);
	res = split_check(&sops, &t, t.server, t.server_len);
	free(res);
	for (size_t i = 0; i < t.nsteps; i++) {
		free(t.steps[i].bytes);
		free(t.steps[i].expect);
	}
	for (size_t i = 0; i < t.nlog; i++)
		free(t.log[i]);
	free(t.log);
	free(t.steps);
	free(t.server);
	free(t.wire.text);
}

void transcript_run_file(const struct transcript_ops *ops, void *ctx, const char *dir,
                         const char *name)
{
	transcript_run_file_roles(ops, ctx, dir, name, NULL);
}

void transcript_run_file_roles(const struct transcript_ops *ops, void *ctx, const char *dir,
                               const char *name, const char *roles)
{
	char path[1024];
	FILE *f;
	long n;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	cr_assert(f != NULL, "cannot open %s", path);
	cr_assert(fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0);
	text = xrealloc(NULL, (size_t)n + 1);
	cr_assert(fread(text, 1, (size_t)n, f) == (size_t)n);
	text[n] = '\0';
	fclose(f);
	transcript_run_text_roles(ops, ctx, text, name, roles);
	free(text);
}
