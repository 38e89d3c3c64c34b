/*
 * The password file handle (store layer): settings, parsing a whole file
 * into lines with a sorted index of users, and the lookups the servers
 * make (scheme, SCRAM keys, extra fields). Verification lives in
 * passwd_verify.c, editing in passwd_edit.c, files in passwd_file.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passwd_int.h"

int correu_passwd_settings_init(correu_passwd_settings *s)
{
	if (!s)
		return CORREU_ERR_ARG;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_PASSWD_SETTINGS_VERSION;
	s->max_file = 64u << 20;
	s->max_line = 4096;
	s->max_users = 1000000;
	s->max_user = 255;
	s->min_iterations = 4096;
	s->max_iterations = 10000000;
	return 0;
}

int correu_passwd_new(const correu_passwd_settings *in, const correu_allocator *alloc,
                      correu_passwd **pw_out)
{
	correu_passwd_settings s;
	correu_passwd *pw;

	if (!pw_out || correu_passwd_settings_init(&s) < 0)
		return CORREU_ERR_ARG;
	*pw_out = NULL;
	if (in) {
		if (in->version < 1 || in->version > CORREU_PASSWD_SETTINGS_VERSION)
			return CORREU_ERR_ARG;
		s.flags = in->flags;
#define TAKE(f) s.f = in->f ? in->f : s.f
		TAKE(max_file);
		TAKE(max_line);
		TAKE(max_users);
		TAKE(max_user);
		TAKE(min_iterations);
		TAKE(max_iterations);
#undef TAKE
	}
	if (s.min_iterations > s.max_iterations || (s.flags & ~CORREU_PASSWD_ALLOW_PLAIN))
		return CORREU_ERR_ARG;
	pw = correu__calloc(alloc, sizeof(*pw));
	if (!pw)
		return CORREU_ERR_NOMEM;
	pw->set = s;
	pw->alloc = alloc;
	*pw_out = pw;
	return 0;
}

void correu__passwd_free_lines(const correu_allocator *a, struct pw_line *lines, size_t n,
                               size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		/* Lines may hold {PLAIN} passwords: wipe them all. */
		correu_wipe(lines[i].text, lines[i].len);
		correu__free(a, lines[i].text, lines[i].len + 1);
	}
	if (lines)
		correu__free(a, lines, cap * sizeof(*lines));
}

static void free_index(correu_passwd *pw)
{
	if (pw->index)
		correu__free(pw->alloc, pw->index, pw->nusers * sizeof(*pw->index));
	pw->index = NULL;
	pw->nusers = 0;
}

void correu_passwd_free(correu_passwd *pw)
{
	if (!pw)
		return;
	free_index(pw);
	correu__passwd_free_lines(pw->alloc, pw->lines, pw->nlines, pw->cap);
	correu__free(pw->alloc, pw, sizeof(*pw));
}

void correu__passwd_why(correu_passwd *pw, const char *msg, uint32_t line)
{
	if (line)
		snprintf(pw->error, sizeof(pw->error), "line %u: %s", line, msg);
	else
		snprintf(pw->error, sizeof(pw->error), "%s", msg);
}

const char *correu_passwd_error(const correu_passwd *pw)
{
	return pw ? pw->error : "";
}

size_t correu_passwd_count(const correu_passwd *pw)
{
	return pw ? pw->nusers : 0;
}

/* ------------------------------------------------------------------ */
/* The index                                                           */

static int user_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return (alen > blen) - (alen < blen);
}

/* qsort has no context argument, so each item carries its line. */
struct sort_item {
	const struct pw_line *line;
	size_t no;
};

static int item_cmp(const void *x, const void *y)
{
	const struct sort_item *a = x, *b = y;

	return user_cmp(a->line->text, a->line->user_len, b->line->text, b->line->user_len);
}

int correu__passwd_reindex(correu_passwd *pw, uint32_t *line_out)
{
	struct sort_item *items;
	size_t n = 0, *index;

	for (size_t i = 0; i < pw->nlines; i++)
		n += pw->lines[i].user_len != 0;
	free_index(pw);
	if (n == 0)
		return 0;
	items = correu__alloc(pw->alloc, n * sizeof(*items));
	index = correu__alloc(pw->alloc, n * sizeof(*index));
	if (!items || !index) {
		if (items)
			correu__free(pw->alloc, items, n * sizeof(*items));
		if (index)
			correu__free(pw->alloc, index, n * sizeof(*index));
		return CORREU_ERR_NOMEM;
	}
	n = 0;
	for (size_t i = 0; i < pw->nlines; i++)
		if (pw->lines[i].user_len)
			items[n++] = (struct sort_item){ &pw->lines[i], i };
	qsort(items, n, sizeof(*items), item_cmp);
	for (size_t i = 0; i < n; i++) {
		index[i] = items[i].no;
		if (i && item_cmp(&items[i - 1], &items[i]) == 0) {
			/* Name the later of the two lines. */
			size_t later =
				items[i].no > items[i - 1].no ? items[i].no : items[i - 1].no;

			if (line_out)
				*line_out = (uint32_t)(later + 1);
			correu__free(pw->alloc, items, n * sizeof(*items));
			correu__free(pw->alloc, index, n * sizeof(*index));
			return CORREU_ERR_EXISTS;
		}
	}
	correu__free(pw->alloc, items, n * sizeof(*items));
	pw->index = index;
	pw->nusers = n;
	return 0;
}

size_t correu__passwd_find(const correu_passwd *pw, const char *user, size_t len)
{
	size_t lo = 0, hi = pw->nusers;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pw_line *l = &pw->lines[pw->index[mid]];
		int c = user_cmp(user, len, l->text, l->user_len);

		if (c == 0)
			return pw->index[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SIZE_MAX;
}

/* ------------------------------------------------------------------ */
/* Parsing a whole file                                                */

static int add_line(correu_passwd *tmp, const char *p, size_t len, size_t user_len)
{
	struct pw_line *l;

	if (tmp->nlines == tmp->cap) {
		size_t cap = tmp->cap ? tmp->cap * 2 : 16;
		struct pw_line *n;

		if (cap > SIZE_MAX / sizeof(*n))
			return CORREU_ERR_NOMEM;
		n = correu__realloc(tmp->alloc, tmp->lines, tmp->cap * sizeof(*n),
		                    cap * sizeof(*n));
		if (!n)
			return CORREU_ERR_NOMEM;
		tmp->lines = n;
		tmp->cap = cap;
	}
	l = &tmp->lines[tmp->nlines];
	l->text = correu__alloc(tmp->alloc, len + 1);
	if (!l->text)
		return CORREU_ERR_NOMEM;
	if (len)
		memcpy(l->text, p, len);
	l->text[len] = '\0';
	l->len = len;
	l->user_len = user_len;
	tmp->nlines++;
	return 0;
}

/* Parse into `tmp` (same settings, empty); the caller swaps it in. */
static int parse_into(correu_passwd *tmp, const uint8_t *data, size_t len, uint32_t *line_no)
{
	size_t pos = 0, users = 0;
	uint32_t no = 0;

	while (pos < len) {
		const uint8_t *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		size_t llen = end - pos;
		struct pw_entry e;
		const char *why = "";
		int rc;

		*line_no = ++no;
		if (llen && data[end - 1] == '\r')
			llen--; /* CRLF line end */
		if (llen > tmp->set.max_line) {
			correu__passwd_why(tmp, "line too long", no);
			return CORREU_ERR_LIMIT;
		}
		rc = correu__passwd_parse_line(&tmp->set, (const char *)data + pos, llen, &e, &why);
		if (rc < 0) {
			correu__passwd_why(tmp, why, no);
			return rc;
		}
		if (rc == 1 && ++users > tmp->set.max_users) {
			correu__passwd_why(tmp, "too many users", no);
			return CORREU_ERR_LIMIT;
		}
		rc = add_line(tmp, (const char *)data + pos, llen, rc == 1 ? e.user_len : 0);
		if (rc < 0)
			return rc;
		pos = nl ? end + 1 : len;
	}
	*line_no = 0;
	return 0;
}

int correu_passwd_parse(correu_passwd *pw, const uint8_t *data, size_t len, uint32_t *line_out)
{
	correu_passwd tmp;
	uint32_t line = 0;
	int rc;

	if (line_out)
		*line_out = 0;
	if (!pw || (!data && len))
		return CORREU_ERR_ARG;
	if (len > pw->set.max_file) {
		correu__passwd_why(pw, "file too large", 0);
		return CORREU_ERR_LIMIT;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.set = pw->set;
	tmp.alloc = pw->alloc;
	rc = parse_into(&tmp, data, len, &line);
	if (rc == 0) {
		rc = correu__passwd_reindex(&tmp, &line);
		if (rc == CORREU_ERR_EXISTS)
			correu__passwd_why(&tmp, "user already on an earlier line", line);
	}
	if (rc < 0) {
		if (rc == CORREU_ERR_NOMEM) {
			correu__passwd_why(&tmp, "out of memory", 0);
			line = 0;
		}
		memcpy(pw->error, tmp.error, sizeof(pw->error));
		if (line_out)
			*line_out = line;
		free_index(&tmp);
		correu__passwd_free_lines(tmp.alloc, tmp.lines, tmp.nlines, tmp.cap);
		return rc;
	}
	free_index(pw);
	correu__passwd_free_lines(pw->alloc, pw->lines, pw->nlines, pw->cap);
	pw->lines = tmp.lines;
	pw->nlines = tmp.nlines;
	pw->cap = tmp.cap;
	pw->index = tmp.index;
	pw->nusers = tmp.nusers;
	pw->error[0] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

/* Find and parse a user's line. */
static int entry_of(const correu_passwd *pw, const char *user, size_t len, struct pw_entry *e)
{
	const char *why;
	size_t i;

	if (!pw || (!user && len))
		return CORREU_ERR_ARG;
	i = correu__passwd_find(pw, user, len);
	if (i == SIZE_MAX)
		return CORREU_ERR_NOT_FOUND;
	/* Lines were checked when they entered; this cannot fail. */
	if (correu__passwd_parse_line(&pw->set, pw->lines[i].text, pw->lines[i].len, e, &why) != 1)
		return CORREU_ERR_INTERNAL;
	return 0;
}

int correu_passwd_lookup(const correu_passwd *pw, const char *user, size_t len,
                         uint32_t *scheme_out)
{
	struct pw_entry e;
	int rc = entry_of(pw, user, len, &e);

	if (rc == 0 && scheme_out)
		*scheme_out = e.scheme;
	return rc;
}

int correu_passwd_extra(const correu_passwd *pw, const char *user, size_t len, const char **out,
                        size_t *out_len)
{
	struct pw_entry e;
	int rc;

	if (!out || !out_len)
		return CORREU_ERR_ARG;
	rc = entry_of(pw, user, len, &e);
	if (rc < 0)
		return rc;
	*out = e.extra;
	*out_len = e.extra_len;
	return 0;
}

int correu_passwd_scram_keys(const correu_passwd *pw, const char *user, size_t len, uint32_t mech,
                             correu_sasl_scram_keys *keys_out)
{
	struct pw_entry e;
	const char *why;
	int rc;

	if (!keys_out || (mech != CORREU_SASL_SCRAM_SHA_1 && mech != CORREU_SASL_SCRAM_SHA_256))
		return CORREU_ERR_ARG;
	rc = entry_of(pw, user, len, &e);
	if (rc < 0)
		return rc;
	if (e.scheme != mech)
		return CORREU_ERR_NOT_FOUND;
	rc = correu__passwd_scram_decode(&pw->set, mech, e.data, e.data_len, keys_out, &why);
	return rc < 0 ? CORREU_ERR_INTERNAL : 0;
}
