/*
 * Internals of the backend interface (store layer): the store, the request
 * objects that carry one operation between a core and a backend, and the
 * typed handles (session, box, stream, append, delivery) that wrap the
 * backend's own pointers. Shared by lib/store/backend*.c only.
 */
#ifndef CORREU_STORE_BACKEND_INT_H
#define CORREU_STORE_BACKEND_INT_H

#include <stdbool.h>

#include "correu/store.h"
#include "internal.h"

struct correu_store {
	correu_store_backend be;
	void *ud;
	correu_store_settings set;
	const correu_allocator *alloc;
	uint32_t caps;
	size_t live_reqs;
	size_t live_objs;
};

/* What an object wraps; also selects the backend's close callback. */
enum obj_kind {
	OBJ_SESSION = 1,
	OBJ_BOX,
	OBJ_STREAM,
	OBJ_APPEND,
	OBJ_DELIVERY
};

typedef struct correu__store_obj {
	correu_store *st;
	enum obj_kind kind;
	void *h; /* the backend's pointer; NULL until opened */
	correu_store_watch_fn watch;
	void *watch_ud;
	uint32_t rcpts;    /* delivery: RCPT commands offered so far */
	uint8_t *accepted; /* delivery: 1 per RCPT the backend took
	                              (max_rcpts bytes, made at the first RCPT) */
	uint32_t pending;  /* requests on this object not completed */
} correu__store_obj;

/* The public handle types are the one object type under several names, so
 * the compiler still keeps a box from being passed as a stream. */
struct correu_store_session {
	correu__store_obj o;
};
struct correu_store_box {
	correu__store_obj o;
};
struct correu_store_stream {
	correu__store_obj o;
};
struct correu_store_append {
	correu__store_obj o;
};
struct correu_store_delivery {
	correu__store_obj o;
};

enum req_state {
	REQ_FRESH,
	REQ_RUNNING,
	REQ_PENDING,
	REQ_DONE
};

/* One LMTP recipient's reply; its text lives in the request's rtext. */
struct rcpt_reply {
	uint32_t code;
	uint32_t enh[3];
	size_t text_off;
	size_t text_len;
	bool set;
	bool accepted; /* the backend took this RCPT */
};

struct correu_store_req {
	correu_store *st;
	const correu_store_hooks *hooks;
	void *ud;
	uint32_t op;
	enum req_state state;
	bool cancelled;
	bool secret;   /* `in` holds a password or token */
	bool via_keys; /* auth_password answered through SCRAM keys */
	int32_t status;
	int32_t hook_err;      /* a hook asked to stop with this code */
	correu__store_obj *on; /* the object the operation works on */

	/* Inputs, copied so they outlive a paused request. */
	correu__buf in;
	const char *pw; /* via_keys: the password inside `in` */
	size_t pw_len;
	size_t max_read;
	uint32_t rcpt_index; /* deliver_rcpt: the index given to the backend */

	/* Results. */
	correu__store_obj *made; /* opened object, allocated before the call */
	bool made_taken;
	correu__buf text; /* canonical user or reply text, NUL-terminated */
	correu__buf data;
	uint32_t uid, uidvalidity, code, enh[3];
	bool have_keys;
	correu_sasl_scram_keys keys;
	bool have_status;
	correu_store_status mstatus;
	correu__buf kw; /* mstatus.keywords */
	struct rcpt_reply *rr;
	uint32_t rr_n;
	correu__buf rtext;
};

/* A request's backend table, the userdata for its callbacks, and the
 * store's settings: what every call function reaches for. */
#define BE(r) (&(r)->st->be)
#define UD(r) ((r)->st->ud)
#define SET(r) (&(r)->st->set)

/* Begin an operation: checks the request is fresh and the entry present.
 * A refusal completes the request with its code, which is returned. */
int correu__store_begin(correu_store_req *req, uint32_t op, bool supported, correu__store_obj *on);
/* Begin an operation on an open object, which must be of the given kind
 * (NULL, another kind or a closed one: refused with ARG). */
int correu__store_begin_on(correu_store_req *req, uint32_t op, bool supported,
                           correu__store_obj *on, enum obj_kind kind);
/* Refuse a started operation before the backend sees it. */
int correu__store_refuse(correu_store_req *req, int code);
/* After the backend callback returned `rc`: the call function's result. */
int correu__store_finish(correu_store_req *req, int rc);
/* Complete the request with `status` (results already set). */
int correu__store_settle(correu_store_req *req, int status);
/* Is the request one the backend may still answer? 0, or the code the
 * completion function returns (and, for a cancelled one, it is freed). */
int correu__store_answerable(correu_store_req *req);

/*
 * Copy `n` strings into the request so they outlive the call. On success
 * out[i] points at a NUL-terminated copy of p[i] (len[i] bytes).
 */
int correu__store_copy_in(correu_store_req *req, size_t n, const char *const *p, const size_t *len,
                          const char **out);
/* A name, user or address: no CR, LF or NUL, at most `max` bytes. */
int correu__store_check_name(const char *p, size_t len, size_t max, bool allow_empty);
/* UID ranges: pairs first <= last, first >= 1, count 1 .. max. */
int correu__store_check_ranges(const uint32_t *ranges, size_t n, size_t max);

/* Objects. */
correu__store_obj *correu__store_obj_new(correu_store *st, enum obj_kind kind);
/* Call the backend's close callback (if open) and free the object. */
void correu__store_obj_close(correu__store_obj *o);
/* Release an opened object nobody will take (cancelled or not taken). */
void correu__store_req_drop_made(correu_store_req *req);
/* Free the request's memory (no backend interaction). */
void correu__store_req_destroy(correu_store_req *req);

#endif
