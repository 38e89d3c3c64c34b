/*
 * Error names and messages, generated from the one table in common.h
 * (common layer).
 */
#include "correu/common.h"

const char *correu_strerror(int err)
{
	switch (err) {
#define X(name, value, msg) \
	case (value): return msg;
		CORREU_ERROR_TABLE(X)
#undef X
	}
	return "unknown error";
}

const char *correu_err_name(int err)
{
	switch (err) {
#define X(name, value, msg) \
	case (value): return "CORREU_ERR_" #name;
		CORREU_ERROR_TABLE(X)
#undef X
	}
	return "CORREU_ERR_UNKNOWN";
}

uint32_t correu_version_num(void)
{
	return CORREU_VERSION_NUM;
}

const char *correu_version_str(void)
{
	return CORREU_VERSION_STR;
}
