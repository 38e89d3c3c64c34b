/* The interop drivers' shared options and logger (see driver_args.h). */
#include "driver_args.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int driver_args_parse(int argc, char **argv, bool plaintext_ok, struct driver_args *a)
{
	static const struct option longs[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "tls", required_argument, NULL, 'T' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "allow-plaintext-auth", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (ch) {
		case 'H': a->host = optarg; break;
		case 'p': a->port = (uint16_t)strtoul(optarg, NULL, 10); break;
		case 'u': a->user = optarg; break;
		case 'C': a->ca_file = optarg; break;
		case 'P':
			if (!plaintext_ok)
				return -1;
			a->plaintext_auth = true;
			break;
		case 'T':
			if (strcmp(optarg, "implicit") == 0)
				a->implicit = true;
			else if (strcmp(optarg, "none") == 0)
				a->no_tls = true;
			else if (strcmp(optarg, "starttls") != 0)
				return -1;
			break;
		default: return -1;
		}
	}
	return a->host && a->port && a->user && optind < argc ? 0 : -1;
}

int driver_usage(const char *name, bool plaintext_ok)
{
	fprintf(stderr,
	        "usage: %s --host H --port P --user U [--tls none|starttls|implicit]\n"
	        "         [--ca-file F]%s COMMAND...\n",
	        name, plaintext_ok ? " [--allow-plaintext-auth]" : "");
	return 2;
}

void driver_log_line(int level, const char *msg, size_t len, void *userdata)
{
	(void)level;
	(void)userdata;
	fprintf(stderr, "%.*s\n", (int)len, msg);
}
