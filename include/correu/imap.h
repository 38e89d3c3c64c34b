/*
 * correu IMAP layer: the IMAP4rev2 / IMAP4rev1 client. This umbrella
 * header includes the layer's focused headers: the sans-I/O response
 * parser (imap_parse.h), the sans-I/O client core with its command
 * builder (imap_client.h), the typed commands (imap_commands.h), the
 * blocking session driver (imap_session.h), and the deflate filter that
 * COMPRESS needs (compress.h). Include it, or only the part a program
 * needs.
 */
#ifndef CORREU_IMAP_H
#define CORREU_IMAP_H

#include "correu/imap_parse.h"
#include "correu/imap_client.h"
#include "correu/imap_commands.h"
#include "correu/imap_session.h"
#include "correu/compress.h"

/** @file
 * IMAP client (RFC 9051, RFC 3501 and their extensions): everything of
 * the IMAP layer in one include.
 */

#endif
