/*
 * The Maildir info suffix (store layer): ":2," followed by the flag letters
 * in ASCII order (D draft, F flagged, P passed, R replied, S seen, T
 * trashed; cr.yp.to/proto/maildir.html) and then Dovecot's keyword letters
 * a..z, whose names are in dovecot-keywords. Dovecot leaves anything after a
 * "," in the info alone, and so do we; letters we do not know are kept too.
 */
#include <string.h>

#include "maildir_internal.h"

static const struct {
	char letter;
	uint32_t flag;
} letters[] = {
	{'D', CORREU_MAILDIR_FLAG_DRAFT},    {'F', CORREU_MAILDIR_FLAG_FLAGGED},
	{'P', CORREU_MAILDIR_FLAG_FORWARDED}, {'R', CORREU_MAILDIR_FLAG_ANSWERED},
	{'S', CORREU_MAILDIR_FLAG_SEEN},     {'T', CORREU_MAILDIR_FLAG_DELETED},
};

static uint32_t flag_of(char c)
{
	for (size_t i = 0; i < CORREU__ARRAY_LEN(letters); i++) {
		if (letters[i].letter == c)
			return letters[i].flag;
	}
	return 0;
}

void correu__md_info_parse(const char *fname, uint32_t *flags, uint32_t *keywords)
{
	const char *info = strstr(fname, ":2,");

	*flags = 0;
	*keywords = 0;
	if (!info)
		return;
	for (const char *p = info + 3; *p && *p != ','; p++) {
		if (*p >= 'a' && *p <= 'z')
			*keywords |= 1u << (*p - 'a');
		else
			*flags |= flag_of(*p);
	}
}

int correu__md_info_build(const char *fname, uint32_t flags, uint32_t keywords, char *out,
                          size_t cap)
{
	size_t base = correu__md_base_len(fname), o = 0;
	const char *info = strstr(fname, ":2,");
	const char *rest = NULL;
	char set[128] = {0};

	if (info) {
		/* Keep letters we do not manage; drop ours, re-added below. */
		const char *p = info + 3;

		for (; *p && *p != ','; p++) {
			unsigned char c = (unsigned char)*p;

			if (c > 32 && c < 127 && !(c >= 'a' && c <= 'z') && !flag_of((char)c))
				set[c] = 1;
		}
		if (*p == ',')
			rest = p;
	}
	for (size_t i = 0; i < CORREU__ARRAY_LEN(letters); i++) {
		if (flags & letters[i].flag)
			set[(unsigned char)letters[i].letter] = 1;
	}
	for (int k = 0; k < CORREU_MAILDIR_MAX_KEYWORDS; k++) {
		if (keywords & (1u << k))
			set['a' + k] = 1;
	}
	if (base + 3 >= cap)
		return CORREU_ERR_LIMIT;
	memcpy(out, fname, base);
	o = base;
	memcpy(out + o, ":2,", 3);
	o += 3;
	/* ASCII order: upper-case flags sort before keyword letters. */
	for (int c = 33; c < 127; c++) {
		if (!set[c])
			continue;
		if (o + 1 >= cap)
			return CORREU_ERR_LIMIT;
		out[o++] = (char)c;
	}
	if (rest) {
		size_t n = strlen(rest);

		if (o + n >= cap)
			return CORREU_ERR_LIMIT;
		memcpy(out + o, rest, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}
