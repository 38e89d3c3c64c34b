/*
 * The IMAP response parser's handle and framer (IMAP layer). Bytes go
 * through the codec's CRLF line decoder; after each line the framer decides
 * (frame.c) whether a literal follows, and routes the literal's bytes: a
 * small one into the unit being assembled, a streamed one (BODY[], BINARY[])
 * to the application in chunks, a malformed response's one to nowhere. A
 * complete unit goes to the grammar (resp.c). Every state lives in the
 * handle, so input may be cut anywhere.
 */
#include <string.h>

#include "imap_internal.h"

#define KNOWN_FLAGS (CORREU_IMAP_PARSER_UTF8 | CORREU_IMAP_PARSER_NORMALISE_EOL)

void correu_imap_parser_settings_init(correu_imap_parser_settings *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_IMAP_PARSER_SETTINGS_VERSION;
}

static void fill_defaults(correu_imap_parser_settings *s)
{
	if (!s->max_line)
		s->max_line = 65536;
	if (!s->max_response)
		s->max_response = 1048576;
	if (!s->max_inline_literal)
		s->max_inline_literal = 65536;
	if (!s->max_literal)
		s->max_literal = (uint64_t)1 << 40;
	if (!s->max_chunk)
		s->max_chunk = 65536;
	if (!s->max_depth)
		s->max_depth = 64;
	if (!s->max_list)
		s->max_list = 1000000;
}

/* Every framer transition goes through here, so it can be traced. */
static void set_state(correu_imap_parser *p, enum ip_fstate to)
{
	static const char *const names[] = { "line", "inline literal", "streamed literal",
		                             "skipped literal", "skipped line" };

	if (p->fstate != to)
		correu__log(&p->logger, CORREU_LOG_TRACE, "imap parser: %s -> %s at %llu",
		            names[p->fstate], names[to], (unsigned long long)p->off);
	p->fstate = to;
}

/* Forget the response in progress (not the stream position). */
static void end_response(correu_imap_parser *p)
{
	p->kind = K_NONE;
	p->bad = false;
	p->resp_bytes = 0;
	p->fdepth = 0;
	p->unit.len = 0;
	p->unit_held = false;
	p->depth = 0;
	p->item_depth = 0;
	p->resp = 0;
	p->begun = false;
	p->in_fetch = false;
	p->streaming = false;
	p->seq = 0;
	p->tag = NULL;
	p->tag_len = 0;
	p->perr = 0;
	p->pmsg = NULL;
}

void correu_imap_parser_reset(correu_imap_parser *p)
{
	if (!p)
		return;
	correu_line_decoder_reset(p->dec);
	end_response(p);
	p->fstate = FR_LINE;
	p->fatal = 0;
	p->off = 0;
	p->line_off = 0;
	p->lit_left = 0;
}

void correu_imap_parser_free(correu_imap_parser *p)
{
	const correu_allocator *a;

	if (!p)
		return;
	a = p->alloc;
	if (p->dec_mem)
		correu__free(a, p->dec_mem, p->dec_mem_len);
	if (p->line_buf)
		correu__free(a, p->line_buf, p->set.max_line);
	if (p->bstack)
		correu__free(a, p->bstack, p->set.max_depth);
	correu__buf_free(&p->unit, false);
	correu__buf_free(&p->scratch, false);
	correu__buf_free(&p->name, false);
	correu__buf_free(&p->section, false);
	correu__free(a, p, sizeof(*p));
}

int correu_imap_parser_new(const correu_imap_parser_settings *s, correu_imap_parser **out)
{
	const correu_allocator *a;
	correu_imap_parser *p;
	uint32_t nl = 0;
	int rc;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (!s || s->version != CORREU_IMAP_PARSER_SETTINGS_VERSION || !s->on_event ||
	    (s->flags & ~KNOWN_FLAGS))
		return CORREU_ERR_ARG;
	a = correu__allocator(s->allocator);
	p = correu__calloc(a, sizeof(*p));
	if (!p)
		return CORREU_ERR_NOMEM;
	p->set = *s;
	fill_defaults(&p->set);
	if (s->logger)
		p->logger = *s->logger;
	p->set.logger = NULL;
	p->alloc = a;
	p->flags = s->flags;
	p->dec_mem_len = correu_line_decoder_sizeof();
	correu__buf_init(&p->unit, a, p->set.max_response);
	correu__buf_init(&p->scratch, a, SIZE_MAX);
	correu__buf_init(&p->name, a, SIZE_MAX);
	correu__buf_init(&p->section, a, p->set.max_line);
	p->dec_mem = correu__alloc(a, p->dec_mem_len);
	p->line_buf = correu__alloc(a, p->set.max_line);
	p->bstack = correu__alloc(a, p->set.max_depth);
	if (!p->dec_mem || !p->line_buf || !p->bstack) {
		correu_imap_parser_free(p);
		return CORREU_ERR_NOMEM;
	}
	if (p->flags & CORREU_IMAP_PARSER_NORMALISE_EOL)
		nl = CORREU_LINE_NORMALISE;
	rc = correu_line_decoder_init(p->dec_mem, p->dec_mem_len, p->line_buf, p->set.max_line,
	                              p->set.max_line, nl, &p->dec);
	if (rc < 0) {
		correu_imap_parser_free(p);
		return rc;
	}
	correu_imap_parser_reset(p);
	*out = p;
	return 0;
}

int correu_imap_parser_set_flags(correu_imap_parser *p, uint32_t flags)
{
	if (!p || (flags & ~KNOWN_FLAGS))
		return CORREU_ERR_ARG;
	/* The line decoder's policy is fixed at init: keep it as created. */
	if ((flags ^ p->flags) & CORREU_IMAP_PARSER_NORMALISE_EOL)
		return CORREU_ERR_ARG;
	p->flags = flags;
	return 0;
}

int correu_imap_parser_pending(const correu_imap_parser *p)
{
	if (!p)
		return 0;
	return p->kind != K_NONE || p->fstate != FR_LINE || correu_line_decoder_pending(p->dec) > 0;
}

/* Report the response as malformed (once) and skip the rest of it. */
static int bad_response(correu_imap_parser *p, int err, const char *msg)
{
	correu_imap_event ev;

	if (p->bad)
		return 0;
	p->bad = true;
	p->streaming = false;
	correu__log(&p->logger, CORREU_LOG_WARN, "imap parser: malformed response at %llu: %s",
	            (unsigned long long)p->resp_off, msg);
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ERROR, 0);
	ev.depth = 0;
	ev.error = err;
	ev.str[0] = msg;
	ev.str_len[0] = strlen(msg);
	ev.offset = p->resp_off;
	return correu__imap_emit(p, &ev);
}

/* Hand a complete unit to the grammar. */
static int parse_unit(correu_imap_parser *p, const uint8_t *s, size_t n)
{
	int rc;

	p->pos = s;
	p->end = s + n;
	p->scratch.len = 0;
	if (p->in_fetch)
		rc = correu__imap_parse_fetch(p);
	else
		rc = correu__imap_parse_start(p);
	if (p->fatal)
		return p->fatal;
	if (rc < 0)
		return bad_response(p, p->perr ? p->perr : rc,
		                    p->pmsg ? p->pmsg : "malformed response");
	return 0;
}

/* A literal follows the line just read; route its bytes. */
static int start_literal(correu_imap_parser *p, uint64_t size, bool streamed)
{
	p->lit_left = size;
	if (p->bad)
		set_state(p, FR_SKIP_LIT);
	else if (streamed)
		set_state(p, FR_STREAM);
	else
		set_state(p, FR_INLINE);
	return 0;
}

static int line_literal_unit(correu_imap_parser *p, const uint8_t *line, size_t n, uint64_t size,
                             bool streamed)
{
	int rc;

	if (streamed && size > p->set.max_literal)
		rc = bad_response(p, CORREU_ERR_LIMIT, "literal too big");
	else if (!streamed && size > p->set.max_inline_literal)
		rc = bad_response(p, CORREU_ERR_LIMIT, "literal too big");
	else if (!streamed && size > p->set.max_response - p->resp_bytes)
		rc = bad_response(p, CORREU_ERR_LIMIT, "response too big");
	else
		rc = 0;
	if (rc < 0 || p->bad)
		return rc < 0 ? rc : start_literal(p, size, false);
	if (!streamed) {
		/* Hold the unit: line, a canonical CRLF, then the literal. */
		rc = correu__buf_append(&p->unit, line, n);
		if (rc == 0)
			rc = correu__buf_append(&p->unit, "\r\n", 2);
		if (rc < 0)
			return rc == CORREU_ERR_NOMEM ? (p->fatal = rc)
			                              : bad_response(p, rc, "response too big");
		p->unit_held = true;
		p->resp_bytes += (size_t)size;
		return start_literal(p, size, false);
	}
	if (p->unit_held) {
		if ((rc = correu__buf_append(&p->unit, line, n)) < 0)
			return rc == CORREU_ERR_NOMEM ? (p->fatal = rc)
			                              : bad_response(p, rc, "response too big");
		line = p->unit.data;
		n = p->unit.len;
	}
	rc = parse_unit(p, line, n);
	p->unit.len = 0;
	p->unit_held = false;
	if (rc < 0)
		return rc;
	if (!p->bad && !p->streaming)
		rc = bad_response(p, CORREU_ERR_SYNTAX, "literal where none can be");
	return rc < 0 ? rc : start_literal(p, size, !p->bad);
}

/* A complete line (lrc: CORREU_LINE_READY or CORREU_ERR_BARE_EOL). */
static int on_line(correu_imap_parser *p, const uint8_t *line, size_t n, int lrc)
{
	uint64_t size = 0;
	bool lit, streamed, bad_count;
	int rc = 0;

	if (p->kind == K_NONE) {
		p->kind = correu__imap_classify(line, n);
		p->resp_off = p->line_off;
		p->utf8 = p->flags & CORREU_IMAP_PARSER_UTF8;
	}
	lit = correu__imap_line_literal(p, line, n, &size, &streamed, &bad_count);
	if (lrc == CORREU_ERR_BARE_EOL)
		rc = bad_response(p, CORREU_ERR_BARE_EOL, "bare CR or LF in a line");
	else if (bad_count)
		rc = bad_response(p, CORREU_ERR_SYNTAX, "malformed literal size");
	else if (!p->bad && n + 2 > p->set.max_response - p->resp_bytes)
		rc = bad_response(p, CORREU_ERR_LIMIT, "response too big");
	if (rc < 0)
		return rc;
	if (!p->bad)
		p->resp_bytes += n + 2;
	if (lit)
		return p->bad ? start_literal(p, size, false)
		              : line_literal_unit(p, line, n, size, streamed);
	if (!p->bad) {
		if (p->unit_held) {
			if ((rc = correu__buf_append(&p->unit, line, n)) < 0)
				return rc == CORREU_ERR_NOMEM
				               ? (p->fatal = rc)
				               : bad_response(p, rc, "response too big");
			line = p->unit.data;
			n = p->unit.len;
		}
		rc = parse_unit(p, line, n);
		if (rc == 0 && !p->bad && p->streaming)
			rc = bad_response(p, CORREU_ERR_SYNTAX, "literal expected");
	}
	end_response(p);
	return rc;
}

/* The line decoder met an over-long line: report it and skip the rest of
 * it here, watching its tail for a literal marker, which the decoder's own
 * skipping would hide. */
static int on_long_line(correu_imap_parser *p, const uint8_t *first, size_t n)
{
	if (p->kind == K_NONE) {
		p->kind = correu__imap_classify(first, n);
		p->resp_off = p->line_off;
	}
	correu_line_decoder_reset(p->dec);
	p->tail_len = 0;
	p->skip_quote = p->skip_esc = p->skip_cr = false;
	correu__imap_tail_push(p, first, n);
	set_state(p, FR_SKIP_LINE);
	return bad_response(p, CORREU_ERR_LIMIT, "line too long");
}

static int step_line(correu_imap_parser *p, const uint8_t *in, size_t len, size_t *used)
{
	const uint8_t *line;
	size_t n;
	int rc = correu_line_decoder_feed(p->dec, in, len, used, &line, &n);

	if (rc == 0)
		return 0;
	if (rc == CORREU_ERR_LIMIT)
		return on_long_line(p, line, n);
	rc = on_line(p, line, n, rc);
	p->line_off = p->off + *used;
	return rc;
}

static size_t skip_line(correu_imap_parser *p, const uint8_t *s, size_t n, bool *ended)
{
	bool normalise = p->flags & CORREU_IMAP_PARSER_NORMALISE_EOL;
	size_t i = 0;

	*ended = false;
	while (i < n) {
		uint8_t c = s[i];

		if (p->skip_cr) {
			p->skip_cr = false;
			if (c == '\n' || normalise) {
				*ended = true;
				return c == '\n' ? i + 1 : i;
			}
			correu__imap_tail_push(p, (const uint8_t *)"\r", 1);
			continue;
		}
		i++;
		if (c == '\r') {
			p->skip_cr = true;
		} else if (c == '\n' && normalise) {
			*ended = true;
			return i;
		} else {
			correu__imap_tail_push(p, &c, 1);
		}
	}
	return i;
}

static int step_skip_line(correu_imap_parser *p, const uint8_t *in, size_t len, size_t *used)
{
	uint64_t size;
	bool ended;

	*used = skip_line(p, in, len, &ended);
	if (!ended)
		return 0;
	p->line_off = p->off + *used;
	set_state(p, FR_LINE);
	if (correu__imap_tail_literal(p, &size))
		return start_literal(p, size, false);
	end_response(p);
	return 0;
}

static int step_literal(correu_imap_parser *p, const uint8_t *in, size_t len, size_t *used)
{
	size_t n = len;
	int rc = 0;

	if ((uint64_t)n > p->lit_left)
		n = (size_t)p->lit_left;
	if (p->fstate == FR_STREAM && n > p->set.max_chunk)
		n = p->set.max_chunk;
	if (p->fstate == FR_INLINE) {
		rc = correu__buf_append(&p->unit, in, n);
		if (rc < 0) {
			p->fatal = rc;
			return rc;
		}
	} else if (p->fstate == FR_STREAM && n > 0) {
		correu_imap_event ev = p->lit_ev;

		ev.type = CORREU_IMAP_EV_LITERAL_DATA;
		ev.data = in;
		ev.data_len = n;
		rc = correu__imap_emit(p, &ev);
		p->lit_ev.offset += n;
	}
	*used = n;
	p->lit_left -= n;
	return rc;
}

/* A literal is complete: the response goes on with the next line. */
static int literal_done(correu_imap_parser *p)
{
	int rc = 0;

	if (p->fstate == FR_STREAM) {
		correu_imap_event ev = p->lit_ev;

		ev.type = CORREU_IMAP_EV_LITERAL_END;
		p->streaming = false;
		p->in_fetch = !p->bad;
		rc = correu__imap_emit(p, &ev);
	}
	set_state(p, FR_LINE);
	p->line_off = p->off;
	return rc;
}

int correu_imap_parser_feed(correu_imap_parser *p, const uint8_t *in, size_t len)
{
	size_t off = 0;

	if (!p || (!in && len))
		return CORREU_ERR_ARG;
	if (p->fatal)
		return CORREU_ERR_POISONED;
	for (;;) {
		size_t used = 0;
		int rc;

		if (p->fstate != FR_LINE && p->fstate != FR_SKIP_LINE && p->lit_left == 0)
			rc = literal_done(p);
		else if (off == len)
			break;
		else if (p->fstate == FR_LINE)
			rc = step_line(p, in + off, len - off, &used);
		else if (p->fstate == FR_SKIP_LINE)
			rc = step_skip_line(p, in + off, len - off, &used);
		else
			rc = step_literal(p, in + off, len - off, &used);
		off += used;
		p->off += used;
		if (rc < 0 || p->fatal) {
			if (!p->fatal)
				p->fatal = rc;
			return p->fatal;
		}
	}
	return 0;
}
