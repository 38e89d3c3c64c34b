/*
 * correu store layer: the backend interface, the contract between the
 * server cores (SMTP/LMTP, POP3, IMAP) and whatever keeps users and mail.
 * A backend is a versioned table of callbacks; a NULL entry means "not
 * supported" and the matching capability is not advertised. Every callback
 * may answer at once or later, so slow and Python backends share one event
 * loop with the server runtime. This umbrella header includes the
 * interface's parts: the handles and mail records (store_types.h), the
 * delivery records (store_delivery.h), the backend table and its
 * capabilities (store_backend.h), the store and its requests
 * (store_req.h), the operations the cores start (store_ops.h) and the
 * completions a backend answers with (store_complete.h). Include it, or
 * only the part a program needs.
 */
#ifndef CORREU_STORE_H
#define CORREU_STORE_H

#include "correu/store_types.h"
#include "correu/store_delivery.h"
#include "correu/store_backend.h"
#include "correu/store_req.h"
#include "correu/store_ops.h"
#include "correu/store_complete.h"

/** @file
 * The store backend interface: everything of it in one include; the
 * contract is @ref store_contract.
 */

/** @page store_contract The store backend contract
 *
 * **Two sides.** A *backend* fills a ::correu_store_backend table. The
 * server runtime wraps it in a ::correu_store with correu_store_new(), and
 * the protocol cores call it only through the `correu_store_*` "call"
 * functions (store_ops.h), never the table directly: the store checks
 * arguments and limits, owns the request objects and turns the backend's
 * answers into results the cores read.
 *
 * **Requests.** Each operation runs on a ::correu_store_req that the core
 * made with correu_store_req_new(). The call function (for example
 * correu_store_auth_password()) hands the request to the backend callback,
 * which does one of three things:
 *
 * - answers **now**: it calls a completion function
 *   (`correu_store_complete*()`) for the request and returns 0;
 * - answers **later**: it returns ::CORREU_PAUSE, keeps the request, and
 *   calls a completion function afterwards, from the thread that runs the
 *   event loop (a backend with worker threads hands its result back to the
 *   loop first, for example through its own wake-up descriptor);
 * - **fails now**: it returns a negative `CORREU_ERR_*` code without
 *   completing; that code becomes the request's status.
 *
 * A callback that returns 0 without completing is a bug: the request then
 * fails with ::CORREU_ERR_INTERNAL. Whatever happened, the call function
 * returns 0 when the request completed successfully during the call, a
 * negative status when it completed with one, or ::CORREU_PAUSE when the
 * answer comes later; then the request's `done` hook runs at completion.
 * `done` never runs inside the call function, so a core is never re-entered
 * from its own call. Results are read with correu_store_req_result() and
 * the `correu_store_req_take_*()` functions once the request is done.
 *
 * **Streams of items.** Operations that produce many things (a mailbox
 * list, the messages of a selected mailbox, expunged UIDs, COPYUID pairs,
 * LMTP per-recipient replies) hand them over one at a time with
 * `correu_store_emit_*()` before completing. Each emission reaches the
 * core's item hook at once, so nothing is collected: a mailbox with a
 * million messages costs the store no memory. Item hooks may therefore run
 * inside a call function (when the backend answers now).
 *
 * **Cancellation.** When a connection goes away, its core frees its
 * requests with correu_store_req_free() whatever their state. A pending
 * request is then *cancelled*: the core's hooks are forgotten, the
 * backend's optional `cancel` callback is told, and the request object
 * lives on until the backend completes it. That completion is safe, is
 * ignored, and returns ::CORREU_ERR_CANCELLED; a handle it carried (a
 * session, mailbox, stream, append or delivery) is closed through the
 * table so nothing leaks. A backend must complete every request it paused,
 * cancelled or not.
 *
 * **Handles.** Operations that open something (a user session, a selected
 * mailbox, a message stream, an append, a delivery) complete with the
 * backend's own pointer via correu_store_complete_handle(); the core takes
 * it as a typed store object (::correu_store_session, ::correu_store_box,
 * ...) and later closes it with the matching close call, which reaches the
 * backend's close callback. The backend's pointer is opaque to correu.
 *
 * **Threading.** A store and its objects belong to one thread, the one
 * running the event loop. Nothing here blocks unless the backend does.
 *
 * **ctypes.** Callbacks take fixed-width integers, sizes and pointers,
 * never a struct by value, and `void *userdata` last. Strings are
 * (pointer, length) pairs, valid for the duration of the callback unless a
 * parameter says otherwise; for a paused request they stay valid until it
 * completes (the request holds copies).
 */

#endif
