/*
 * correu-fetch after a crash: was the pending message (uidstate.h) stored
 * before the program died? A kill between the Maildir's commit and the
 * state file's save would otherwise store it twice on the next run. The
 * answer comes from the Maildir itself: the message is there if a local
 * message delivered since the pending mark (UID at least its `uidnext`)
 * has the same bytes as the server's copy, which is still on the server
 * because nothing is deleted before it is recorded.
 */
#ifndef CORREU_FETCH_RECOVER_H
#define CORREU_FETCH_RECOVER_H

#include "correu/maildir.h"
#include "correu/pop3.h"
#include "uidstate.h"

/* 1 if message `msg` of the session is already in `box`, 0 if not (or if
 * the folder's UIDVALIDITY changed, so nothing can be told), or a
 * negative CORREU_ERR_* from the session or the Maildir. */
int recover_pending(correu_pop3_session *s, uint32_t msg, correu_maildir_box *box,
                    const struct uidpending *p);

#endif
