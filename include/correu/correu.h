/*
 * correu umbrella header: includes every public header of the layers this
 * installation carries. Each header also compiles on its own.
 */
#ifndef CORREU_H
#define CORREU_H

/** @file
 * The umbrella header: one include for every layer this installation has.
 */

#include "correu/common.h"
#if defined(__has_include)
#if __has_include("correu/codec.h")
#include "correu/codec.h"
#endif
#if __has_include("correu/sasl.h")
#include "correu/sasl.h"
#endif
#if __has_include("correu/transport.h")
#include "correu/transport.h"
#endif
#if __has_include("correu/mime.h")
#include "correu/mime.h"
#endif
#if __has_include("correu/store.h")
#include "correu/store.h"
#endif
#if __has_include("correu/passwd.h")
#include "correu/passwd.h"
#endif
#if __has_include("correu/maildir.h")
#include "correu/maildir.h"
#endif
#if __has_include("correu/maildir_backend.h")
#include "correu/maildir_backend.h"
#endif
#if __has_include("correu/server.h")
#include "correu/server.h"
#endif
#if __has_include("correu/smtp.h")
#include "correu/smtp.h"
#endif
#if __has_include("correu/smtp_server.h")
#include "correu/smtp_server.h"
#endif
#if __has_include("correu/pop3.h")
#include "correu/pop3.h"
#endif
#if __has_include("correu/pop3_server.h")
#include "correu/pop3_server.h"
#endif
#if __has_include("correu/imap.h")
#include "correu/imap.h"
#endif
#endif

#endif
