/*
 * INTERNALDATE (IMAP layer, response parser): "dd-Mon-yyyy hh:mm:ss +zzzz"
 * (RFC 9051 §9 date-time) to seconds since 1970 UTC and a zone offset.
 * The calendar arithmetic is the proleptic Gregorian day count, so no C
 * library time function (and no time zone database) is involved.
 */
#include <string.h>
#include <strings.h>

#include "imap_internal.h"

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Days from 1970-01-01 to y-m-d (March-based era arithmetic). */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : len[m - 1];
}

int correu__imap_parse_date_time(const char *s, size_t len, int64_t *time, int32_t *zone)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int day, mon, year, hh, mm, ss, zh, zm, i;
	char day_buf[2];

	/* date-day-fixed = (SP DIGIT) / 2DIGIT: always 26 bytes. */
	if (len != 26 || s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':' ||
	    s[17] != ':' || s[20] != ' ' || (s[21] != '+' && s[21] != '-'))
		return CORREU_ERR_SYNTAX;
	day_buf[0] = s[0] == ' ' ? '0' : s[0];
	day_buf[1] = s[1];
	for (mon = 0, i = 0; i < 12; i++)
		if (strncasecmp(s + 3, months + 3 * i, 3) == 0)
			mon = i + 1;
	if (!mon || !digits(day_buf, 2, &day) || !digits(s + 7, 4, &year) ||
	    !digits(s + 12, 2, &hh) || !digits(s + 15, 2, &mm) || !digits(s + 18, 2, &ss) ||
	    !digits(s + 22, 2, &zh) || !digits(s + 24, 2, &zm))
		return CORREU_ERR_SYNTAX;
	/* A leap second (ss 60) is allowed by the grammar's 2DIGIT. */
	if (day < 1 || day > month_days(year, mon) || hh > 23 || mm > 59 || ss > 60 || zm > 59)
		return CORREU_ERR_SYNTAX;
	*zone = (int32_t)((zh * 60 + zm) * (s[21] == '-' ? -1 : 1));
	*time = days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss -
	        (int64_t)*zone * 60;
	return 0;
}
