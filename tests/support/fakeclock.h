/*
 * A fake clock for core tests: cores take the time as an argument, so a test
 * owns time and moves it by hand instead of sleeping.
 */
#ifndef CORREU_TEST_FAKECLOCK_H
#define CORREU_TEST_FAKECLOCK_H

#include <stdint.h>

typedef struct fakeclock {
	uint64_t now_ms;
} fakeclock;

static inline uint64_t fakeclock_advance(fakeclock *c, uint64_t ms)
{
	c->now_ms += ms;
	return c->now_ms;
}

#endif
