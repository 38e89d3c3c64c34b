/*
 * The command line of the correu-mailserver example (examples). Every
 * port follows from the SMTP port, so one -p moves the whole set (the
 * tests run several servers side by side that way); LMTP can also be
 * placed or turned off on its own.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "mailserver.h"

static void usage(void)
{
	fprintf(stderr,
	        "usage: correu-mailserver [-q] [-d DIR] [-H HOSTNAME] [-a ADDRESS] [-p PORT]\n"
	        "                         [-l PORT] [-s PATH] [--max-messages N] [--discard]\n"
	        "  -d DIR       data directory (default ./maildata)\n"
	        "  -H HOSTNAME  this server's name (default localhost)\n"
	        "  -a ADDRESS   address to listen on (default 127.0.0.1)\n"
	        "  -p PORT      SMTP port; submission is PORT+62, SMTPS PORT-60\n"
	        "               (default 2525: 2587 and 2465); POP3 is PORT-1415,\n"
	        "               POP3S PORT-530 (default 1110 and 1995); LMTP PORT-101\n"
	        "  -l PORT      LMTP port (default PORT-101: 2424); 0: no LMTP over TCP\n"
	        "  -s PATH      LMTP UNIX socket (default DIR/lmtp.sock); \"\": none\n"
	        "  -q           log warnings and errors only\n"
	        "  --max-messages N  messages per SMTP or LMTP session (default 100)\n"
	        "  --discard    SMTP and LMTP accept every message and keep nothing\n"
	        "               (for benchmarks; submission and POP3 still use DIR)\n");
	exit(2);
}

static uint32_t number_arg(const char *s, uint32_t min, uint32_t max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v < min || v > max)
		usage();
	return (uint32_t)v;
}

void ms_parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "discard", no_argument, NULL, 'D' },
		{ "max-messages", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	bool lmtp_port_set = false;
	int c, n;

	o->dir = "./maildata";
	o->host = "localhost";
	o->addr = "127.0.0.1";
	o->port_smtp = 2525;
	while ((c = getopt_long(argc, argv, "qd:H:a:p:l:s:", longs, NULL)) != -1) {
		if (c == 'd')
			o->dir = optarg;
		else if (c == 'H')
			o->host = optarg;
		else if (c == 'a')
			o->addr = optarg;
		else if (c == 'p')
			o->port_smtp = number_arg(optarg, 1416, 65472);
		else if (c == 'l') {
			o->port_lmtp = number_arg(optarg, 0, 65535);
			lmtp_port_set = true;
		} else if (c == 's')
			o->lmtp_socket = optarg;
		else if (c == 'q')
			o->quiet = true;
		else if (c == 'D')
			o->discard = true;
		else if (c == 'M')
			o->max_messages = number_arg(optarg, 1, 1000000);
		else
			usage();
	}
	if (optind != argc)
		usage();
	o->port_submission = o->port_smtp + 62;
	o->port_smtps = o->port_smtp - 60;
	o->port_pop3 = o->port_smtp - 1415;
	o->port_pop3s = o->port_smtp - 530;
	if (!lmtp_port_set)
		o->port_lmtp = o->port_smtp - 101;
	if (!o->lmtp_socket) {
		n = snprintf(o->lmtp_socket_buf, sizeof(o->lmtp_socket_buf), "%s/lmtp.sock", o->dir);
		if (n < 0 || (size_t)n >= sizeof(o->lmtp_socket_buf))
			usage();
		o->lmtp_socket = o->lmtp_socket_buf;
	}
}
