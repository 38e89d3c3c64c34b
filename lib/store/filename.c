/*
 * Maildir file names (store layer): the base name (everything before the
 * ":2," info, which is what identifies a message across flag changes), the
 * ",S=<size>" and ",W=<vsize>" fields Dovecot reads from it, and new unique
 * names in the "<time>.M<usec>P<pid>Q<seq>.<host>" style Dovecot uses
 * (cr.yp.to/proto/maildir.html: time, then a part unique on this host),
 * and the order of such names that is their order of arrival.
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "maildir_internal.h"

size_t correu__md_base_len(const char *fname)
{
	const char *colon = strchr(fname, ':');

	return colon ? (size_t)(colon - fname) : strlen(fname);
}

bool correu__md_base_field(const char *fname, char key, uint64_t *value)
{
	size_t base = correu__md_base_len(fname);

	for (size_t i = 0; i + 3 <= base; i++) {
		uint64_t v = 0;
		size_t j;

		if (fname[i] != ',' || fname[i + 1] != key || fname[i + 2] != '=')
			continue;
		for (j = i + 3; j < base && fname[j] >= '0' && fname[j] <= '9'; j++) {
			if (v > (UINT64_MAX - 9) / 10)
				return false;
			v = v * 10 + (uint64_t)(fname[j] - '0');
		}
		if (j == i + 3 || (j < base && fname[j] != ','))
			continue;
		*value = v;
		return true;
	}
	return false;
}

int correu__md_unique_name(correu_maildir *md, char *out, size_t cap)
{
	struct timeval tv;
	int n;

	gettimeofday(&tv, NULL);
	/* Microseconds, pid and a per-handle counter: two deliveries from one
	 * process never share a name, and O_EXCL catches the rest. */
	n = snprintf(out, cap, "%lld.M%ldP%ldQ%u.%s", (long long)tv.tv_sec, (long)tv.tv_usec,
	             (long)getpid(), ++md->seq, md->host);
	return (n < 0 || (size_t)n >= cap) ? CORREU_ERR_LIMIT : 0;
}

/* Skip a run of digits' leading zeros; return the run's end. */
static size_t digits_end(const char *s, size_t len, size_t *i)
{
	size_t j;

	while (*i + 1 < len && s[*i] == '0' && s[*i + 1] >= '0' && s[*i + 1] <= '9')
		(*i)++;
	for (j = *i; j < len && s[j] >= '0' && s[j] <= '9'; j++)
		;
	return j;
}

/* The numbers in a unique name are not zero-padded, neither ours nor
 * Dovecot's, so "M99" came before "M123456" in the same second although it
 * sorts after it as a string. Comparing each run of digits as a number
 * orders the seconds, then the microseconds, pid and sequence, as they
 * were made; Dovecot too orders new names by their numbers. */
int correu__md_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;
	int c;

	while (i < alen && j < blen) {
		bool da = a[i] >= '0' && a[i] <= '9', db = b[j] >= '0' && b[j] <= '9';

		if (da && db) {
			size_t ea = digits_end(a, alen, &i), eb = digits_end(b, blen, &j);

			/* Without leading zeros, a longer run is a larger number. */
			if (ea - i != eb - j)
				return ea - i < eb - j ? -1 : 1;
			c = memcmp(a + i, b + j, ea - i);
			if (c)
				return c;
			i = ea;
			j = eb;
		} else if (a[i] != b[j]) {
			return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
		} else {
			i++;
			j++;
		}
	}
	if (i < alen || j < blen)
		return i < alen ? 1 : -1;
	/* Equal as numbers ("M07" and "M7"): bytes decide, so only the same
	 * name compares equal and twins in new/ and cur/ stay side by side. */
	c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen < blen ? -1 : alen > blen);
}
