#!/usr/bin/python3
"""Dovecot side of the Maildir interop test (tests/interop/dovecot_maildir.sh).

Talks LMTP and IMAP to a Dovecot on 127.0.0.1 with Python's smtplib and
imaplib, every call with a timeout:

  dovecot_client.py lmtp PORT RCPT N            deliver N messages "lmtp 1".."lmtp N"
  dovecot_client.py state PORT USER PASS BOX    "UIDVALIDITY n", then "uid flags subject"
  dovecot_client.py store PORT USER PASS BOX UID FLAG...   UID STORE +FLAGS
  dovecot_client.py folders PORT USER PASS      one LIST name per line
  dovecot_client.py subscribe PORT USER PASS NAME
"""
import imaplib
import re
import smtplib
import sys

TIMEOUT = 10


def imap(port, user, password):
    conn = imaplib.IMAP4("127.0.0.1", int(port), timeout=TIMEOUT)
    conn.login(user, password)
    return conn


def check(typ, data):
    if typ != "OK":
        sys.exit(f"IMAP error: {typ} {data}")
    return data


def cmd_lmtp(port, rcpt, count):
    with smtplib.LMTP("127.0.0.1", int(port), timeout=TIMEOUT) as lmtp:
        for i in range(1, int(count) + 1):
            msg = (f"From: sender@localhost\r\nTo: {rcpt}\r\nSubject: lmtp {i}\r\n"
                   f"Message-ID: <lmtp-{i}@localhost>\r\n\r\nbody {i}\r\n")
            lmtp.sendmail("sender@localhost", [rcpt], msg)


def cmd_state(port, user, password, box):
    conn = imap(port, user, password)
    check(*conn.select(box))
    uidvalidity = conn.response("UIDVALIDITY")[1][0]
    print(f"UIDVALIDITY {uidvalidity.decode()}")
    data = check(*conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta = item[0].decode()
        uid = re.search(r"UID (\d+)", meta).group(1)
        flags = sorted(f for f in re.search(r"FLAGS \(([^)]*)\)", meta).group(1).split()
                       if f != "\\Recent")
        subject = item[1].decode().strip().replace("Subject: ", "")
        print(f"{uid} {','.join(flags) or '-'} {subject}")
    conn.logout()


def cmd_store(port, user, password, box, uid, *flags):
    conn = imap(port, user, password)
    check(*conn.select(box))
    check(*conn.uid("STORE", uid, "+FLAGS", "(" + " ".join(flags) + ")"))
    conn.logout()


def cmd_folders(port, user, password):
    conn = imap(port, user, password)
    for line in check(*conn.list()):
        print(line.decode().rsplit(" ", 1)[1].strip('"'))
    conn.logout()


def cmd_subscribe(port, user, password, name):
    conn = imap(port, user, password)
    check(*conn.subscribe(name))
    conn.logout()


COMMANDS = {"lmtp": cmd_lmtp, "state": cmd_state, "store": cmd_store,
            "folders": cmd_folders, "subscribe": cmd_subscribe}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
