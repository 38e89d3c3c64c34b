/*
 * Maildir file names (store layer): the base name (everything before the
 * ":2," info, which is what identifies a message across flag changes), the
 * ",S=<size>" and ",W=<vsize>" fields Dovecot reads from it, and new unique
 * names in the "<time>.M<usec>P<pid>Q<seq>.<host>" style Dovecot uses
 * (cr.yp.to/proto/maildir.html: time, then a part unique on this host).
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
