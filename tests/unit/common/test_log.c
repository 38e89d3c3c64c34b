/* The log hook: level filter, formatting, truncation. */
#include <criterion/criterion.h>
#include <string.h>

#include "internal.h"

struct seen {
	int calls;
	int level;
	char msg[1024];
	size_t len;
};

static void hook(int level, const char *msg, size_t len, void *userdata)
{
	struct seen *s = userdata;

	s->calls++;
	s->level = level;
	s->len = len;
	memcpy(s->msg, msg, len);
	s->msg[len] = '\0';
}

Test(log, formats_and_filters_by_level)
{
	struct seen s = { 0 };
	correu_logger lg = { CORREU_LOGGER_VERSION, CORREU_LOG_INFO, hook, &s };

	correu__log(&lg, CORREU_LOG_WARN, "conn %d: %s", 7, "slow");
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.level, CORREU_LOG_WARN);
	cr_assert_str_eq(s.msg, "conn 7: slow");
	cr_assert_eq(s.len, strlen("conn 7: slow"));
	correu__log(&lg, CORREU_LOG_DEBUG, "not wanted");
	cr_assert_eq(s.calls, 1, "a message above max_level was delivered");
	correu__log(NULL, CORREU_LOG_ERROR, "no logger");
	lg.fn = NULL;
	correu__log(&lg, CORREU_LOG_ERROR, "no hook");
	cr_assert_eq(s.calls, 1);
}

Test(log, long_messages_are_truncated_not_dropped)
{
	struct seen s = { 0 };
	correu_logger lg = { CORREU_LOGGER_VERSION, CORREU_LOG_TRACE, hook, &s };
	char big[2000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	correu__log(&lg, CORREU_LOG_TRACE, "%s", big);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.len, 511);
}
