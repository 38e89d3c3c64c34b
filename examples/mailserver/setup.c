/*
 * Set-up of the correu-mailserver example (examples): logging to stderr,
 * and the two things a first start must make in the data directory: the
 * password file with a first user, and a certificate (the directory's own
 * cert.pem and key.pem, or a self-signed one made at every start and
 * written to selfsigned.pem for clients).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mailserver.h"

#define FIRST_USER "user"
#define PASSWORD_LEN 16

void ms_log(int level, const char *msg, size_t len, void *userdata)
{
	static const char *const names[] = { "error", "warn", "info", "debug", "trace" };

	(void)userdata;
	fprintf(stderr, "%s: %.*s\n", names[level < 0 || level > 4 ? 0 : level], (int)len, msg);
}

int ms_path(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? CORREU_ERR_LIMIT : 0;
}

int ms_users(const char *dir, correu_passwd **pw)
{
	static const char alnum[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	char file[4096], password[PASSWORD_LEN + 1];
	uint8_t r[PASSWORD_LEN];
	int rc;

	rc = ms_path(file, sizeof(file), dir, "passwd");
	if (rc == 0)
		rc = correu_passwd_new(NULL, NULL, pw);
	if (rc == 0)
		rc = correu_passwd_load(*pw, file, NULL);
	if (rc != CORREU_ERR_NOT_FOUND)
		return rc;
	rc = ex_os_random(r, sizeof(r), NULL);
	for (size_t i = 0; i < PASSWORD_LEN; i++)
		password[i] = alnum[r[i] % (sizeof(alnum) - 1)]; /* a small bias is fine here */
	password[PASSWORD_LEN] = '\0';
	if (rc == 0)
		rc = correu_passwd_set(*pw, FIRST_USER, strlen(FIRST_USER),
		                       CORREU_SASL_SCRAM_SHA_256, password, PASSWORD_LEN, 0,
		                       ex_os_random, NULL);
	if (rc == 0)
		rc = correu_passwd_save(*pw, file);
	if (rc == 0)
		printf("created user \"%s\" with password \"%s\" in %s\n", FIRST_USER, password,
		       file);
	correu_wipe(password, sizeof(password));
	return rc;
}

int ms_certificate(const char *dir, const char *host, correu_tls_config **tls)
{
	char cert[4096], key[4096], out[4096];
	uint8_t pem[4096];
	size_t len = 0;
	FILE *f;
	int rc;

	rc = correu_tls_config_new(CORREU_TLS_SERVER, NULL, tls);
	if (rc == 0)
		rc = ms_path(cert, sizeof(cert), dir, "cert.pem");
	if (rc == 0)
		rc = ms_path(key, sizeof(key), dir, "key.pem");
	if (rc < 0)
		return rc;
	if (access(cert, R_OK) == 0 && access(key, R_OK) == 0)
		return correu_tls_config_set_cert_file(*tls, cert, key, NULL);
	/* The key cannot be exported, so a new pair is made at every start. */
	rc = correu_tls_config_set_self_signed(*tls, host, 365, pem, sizeof(pem), &len);
	if (rc == 0)
		rc = ms_path(out, sizeof(out), dir, "selfsigned.pem");
	if (rc < 0)
		return rc;
	f = fopen(out, "wb");
	if (!f || fwrite(pem, 1, len, f) != len || fclose(f) != 0)
		return CORREU_ERR_IO;
	printf("self-signed certificate for %s written to %s\n", host, out);
	return 0;
}
