/*
 * The password file as a store backend (store layer): a table whose
 * authentication callbacks answer at once from a loaded ::correu_passwd,
 * so a server can offer PLAIN, LOGIN, SCRAM-SHA-1 and SCRAM-SHA-256 from
 * one file of salted keys.
 */
#include "passwd_int.h"

static int auth_password(correu_store_req *req, const char *user, size_t user_len,
                         const char *password, size_t password_len, void *userdata)
{
	int rc = correu_passwd_verify(userdata, user, user_len, password, password_len);

	if (rc == 0)
		return correu_store_complete_user(req, NULL, 0);
	/* A broken check is a temporary failure, not a wrong password. */
	return correu_store_complete(req, rc == CORREU_ERR_AUTH ? rc : CORREU_ERR_BUSY);
}

static int auth_scram_keys(correu_store_req *req, uint32_t mech, const char *user, size_t user_len,
                           void *userdata)
{
	correu_sasl_scram_keys k;
	int rc = correu_passwd_scram_keys(userdata, user, user_len, mech, &k);

	if (rc < 0)
		return correu_store_complete(req,
		                             rc == CORREU_ERR_NOT_FOUND ? rc : CORREU_ERR_BUSY);
	rc = correu_store_complete_scram_keys(req, &k);
	correu_wipe(&k, sizeof(k));
	return rc;
}

static const correu_store_backend table = {
	.version = CORREU_STORE_BACKEND_VERSION,
	.auth_password = auth_password,
	.auth_scram_keys = auth_scram_keys,
};

const correu_store_backend *correu_passwd_backend(void)
{
	return &table;
}
