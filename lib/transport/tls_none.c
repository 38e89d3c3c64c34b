/*
 * The TLS entry points of a build without mbedTLS (-Dtls=disabled),
 * transport layer. They exist so that the exported symbols and the header
 * never depend on build options; each answers CORREU_ERR_UNSUPPORTED, and
 * the getters say "no TLS". No handle ever gets TLS state here, so the
 * internal hooks are never reached.
 */
#include "transport_int.h"

correu_ssize correu__tls_send(correu__tls *s, const uint8_t *buf, size_t len)
{
	(void)s, (void)buf, (void)len;
	return CORREU_ERR_UNSUPPORTED;
}

correu_ssize correu__tls_recv(correu__tls *s, uint8_t *buf, size_t len)
{
	(void)s, (void)buf, (void)len;
	return CORREU_ERR_UNSUPPORTED;
}

int correu__tls_shutdown(correu__tls *s)
{
	(void)s;
	return CORREU_ERR_UNSUPPORTED;
}

size_t correu__tls_pending(const correu__tls *s)
{
	(void)s;
	return 0;
}

void correu__tls_free(correu__tls *s)
{
	(void)s;
}

int correu_tls_config_new(uint32_t role, const correu_allocator *alloc, correu_tls_config **out)
{
	(void)role, (void)alloc;
	if (out)
		*out = NULL;
	return CORREU_ERR_UNSUPPORTED;
}

void correu_tls_config_free(correu_tls_config *cfg)
{
	(void)cfg;
}

int correu_tls_config_set_ca_file(correu_tls_config *cfg, const char *path)
{
	(void)cfg, (void)path;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tls_config_set_ca_dir(correu_tls_config *cfg, const char *dir)
{
	(void)cfg, (void)dir;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tls_config_set_ca_pem(correu_tls_config *cfg, const uint8_t *pem, size_t len)
{
	(void)cfg, (void)pem, (void)len;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tls_config_set_cert_file(correu_tls_config *cfg, const char *cert_path,
                                    const char *key_path, const char *key_password)
{
	(void)cfg, (void)cert_path, (void)key_path, (void)key_password;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tls_config_set_cert_pem(correu_tls_config *cfg, const uint8_t *cert, size_t cert_len,
                                   const uint8_t *key, size_t key_len, const char *key_password)
{
	(void)cfg, (void)cert, (void)cert_len, (void)key, (void)key_len, (void)key_password;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tls_config_set_self_signed(correu_tls_config *cfg, const char *host, uint32_t days,
                                      uint8_t *pem_out, size_t pem_cap, size_t *pem_len_out)
{
	(void)cfg, (void)host, (void)days, (void)pem_out, (void)pem_cap, (void)pem_len_out;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tls_config_set_verify(correu_tls_config *cfg, uint32_t mode)
{
	(void)cfg, (void)mode;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tls_config_set_min_version(correu_tls_config *cfg, uint32_t version)
{
	(void)cfg, (void)version;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_tls_config_set_sni(correu_tls_config *cfg, correu_tls_sni_fn fn, void *userdata)
{
	(void)cfg, (void)fn, (void)userdata;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_transport_starttls(correu_transport *t, const correu_tls_config *cfg,
                              const char *host)
{
	(void)t, (void)cfg, (void)host;
	return CORREU_ERR_UNSUPPORTED;
}

int correu_transport_handshake(correu_transport *t)
{
	return t ? 0 : CORREU_ERR_ARG; /* a plain transport has none to do */
}

int correu_transport_is_tls(const correu_transport *t)
{
	(void)t;
	return 0;
}

uint32_t correu_transport_tls_verify_flags(const correu_transport *t)
{
	(void)t;
	return CORREU_CERT_NOT_VERIFIED;
}

const char *correu_transport_tls_cipher(const correu_transport *t)
{
	(void)t;
	return NULL;
}

const char *correu_transport_tls_version(const correu_transport *t)
{
	(void)t;
	return NULL;
}

correu_ssize correu_transport_tls_peer_name(const correu_transport *t, uint32_t which,
                                            char *buf, size_t cap)
{
	(void)t, (void)which, (void)buf, (void)cap;
	return CORREU_ERR_UNSUPPORTED;
}
