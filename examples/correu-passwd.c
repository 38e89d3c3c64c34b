/*
 * correu-passwd: add a user to a correu (or Dovecot) password file, or
 * change a user's password, storing only salted SCRAM-SHA-256 keys. The
 * password is read from standard input (without echo on a terminal) or
 * generated and printed. The file is rewritten atomically with mode 0600.
 * An example program over the store layer's passwd.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/os_random.h"
#include "correu/passwd.h"

#define DEFAULT_FILE "/etc/correu/passwd"
#define MAX_PASSWORD 1024
#define GENERATED_LEN 20

static void usage(void)
{
	fprintf(stderr, "usage: correu-passwd [-f FILE] [-i ITERATIONS] [-1] [-g | -d] USER\n"
	                "  -f FILE        password file (default " DEFAULT_FILE ")\n"
	                "  -i ITERATIONS  PBKDF2 iterations (default 4096, at least 4096)\n"
	                "  -1             store SCRAM-SHA-1 keys instead of SCRAM-SHA-256\n"
	                "  -g             generate a password and print it on standard output\n"
	                "  -d             delete the user\n"
	                "Without -g the password is read from standard input.\n");
	exit(2);
}

/* A password of letters and digits; rejection sampling keeps it uniform. */
static int generate(char *out, size_t len)
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
	const size_t n = sizeof(alphabet) - 1;
	size_t i = 0;

	while (i < len) {
		uint8_t b;

		if (ex_os_random(&b, 1, NULL) < 0)
			return -1;
		if (b < 256 - 256 % n)
			out[i++] = alphabet[b % n];
	}
	out[len] = '\0';
	return 0;
}

/* Read one line from `f` into buf; strip the line end. */
static int read_line(FILE *f, char *buf, size_t cap)
{
	size_t len;

	if (!fgets(buf, (int)cap, f))
		return -1;
	len = strlen(buf);
	if (len == cap - 1 && buf[len - 1] != '\n')
		return -2; /* too long */
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* Prompt on the terminal with echo off; the answer never appears on screen. */
static int prompt(const char *what, char *buf, size_t cap)
{
	struct termios old, quiet;
	int rc;

	fputs(what, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) < 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
		return -1;
	rc = read_line(stdin, buf, cap);
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	return rc;
}

static int get_password(char *pw, size_t cap)
{
	char again[MAX_PASSWORD + 2];
	int rc;

	if (!isatty(STDIN_FILENO))
		return read_line(stdin, pw, cap);
	rc = prompt("New password: ", pw, cap);
	if (rc == 0)
		rc = prompt("Retype new password: ", again, sizeof(again));
	if (rc == 0 && strcmp(pw, again) != 0) {
		fprintf(stderr, "correu-passwd: the passwords differ\n");
		rc = -3;
	}
	correu_wipe(again, sizeof(again));
	return rc;
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v > UINT32_MAX)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	const char *file = DEFAULT_FILE, *user;
	char password[MAX_PASSWORD + 2];
	uint32_t iterations = 0, mech = CORREU_SASL_SCRAM_SHA_256, line = 0;
	int opt, gen = 0, del = 0, rc, existed;
	correu_passwd *pw;

	while ((opt = getopt(argc, argv, "f:i:1gd")) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 'i': iterations = (uint32_t)number(optarg); break;
		case '1': mech = CORREU_SASL_SCRAM_SHA_1; break;
		case 'g': gen = 1; break;
		case 'd': del = 1; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || (gen && del))
		usage();
	user = argv[optind];
	if (correu_passwd_new(NULL, NULL, &pw) < 0)
		return 1;
	rc = correu_passwd_load(pw, file, &line);
	if (rc < 0 && rc != CORREU_ERR_NOT_FOUND) {
		fprintf(stderr, "correu-passwd: %s: %s\n", file, correu_passwd_error(pw));
		correu_passwd_free(pw);
		return 1;
	}
	existed = correu_passwd_lookup(pw, user, strlen(user), NULL) == 0;
	if (del) {
		rc = correu_passwd_remove(pw, user, strlen(user));
	} else {
		if (gen ? generate(password, GENERATED_LEN) < 0
		        : get_password(password, sizeof(password)) < 0) {
			fprintf(stderr, "correu-passwd: %s\n",
			        gen ? "no random bytes" : "no password read (at most 1024 bytes)");
			correu_wipe(password, sizeof(password));
			correu_passwd_free(pw);
			return 1;
		}
		rc = correu_passwd_set(pw, user, strlen(user), mech, password, strlen(password),
		                       iterations, ex_os_random, NULL);
		if (rc == 0 && gen)
			printf("%s\n", password);
		correu_wipe(password, sizeof(password));
	}
	if (rc == 0)
		rc = correu_passwd_save(pw, file);
	if (rc == CORREU_ERR_IO) {
		fprintf(stderr, "correu-passwd: %s\n", correu_passwd_error(pw));
	} else if (rc < 0) {
		fprintf(stderr, "correu-passwd: %s: %s\n", user, correu_strerror(rc));
	} else {
		fprintf(stderr, "correu-passwd: %s %s in %s\n", user,
		        del       ? "deleted"
		        : existed ? "password changed"
		                  : "added",
		        file);
	}
	correu_passwd_free(pw);
	return rc < 0 ? 1 : 0;
}
