#!/usr/bin/python3
"""LMTP interop test of the SMTP server core (SMTP layer) and the runtime's
UNIX-domain listener (driver layer), through the correu-mailserver example
on free ports of 127.0.0.1 and a socket in its temporary data directory.

    test_smtp_server_lmtp.py CORREU_MAILSERVER CORREU_PASSWD

1. Postfix's smtp-source -L (bounded: 4 sessions, 200 messages of 1000
   bytes) over TCP, then over the UNIX socket: every message must be in
   the recipient's Maildir, intact (the server's Received: line, then
   exactly the message smtp-source sent, the size in the file name right).
2. Python's smtplib.LMTP over TCP and over the UNIX socket: one accepted,
   one unknown (550 at RCPT, RFC 2033 section 4.2) and another accepted
   recipient; after the data exactly one reply per accepted recipient, in
   RCPT order, and only then (the next reply is the NOOP's); the message
   in both Maildirs and in no other.
3. SIGKILL leaves the socket file behind; a restart on the same data takes
   the stale socket over and serves LMTP on it; SIGTERM then stops the
   server with status 0 and removes the socket file.

smtp-source is skipped (the rest still runs) when Postfix is missing. The
server is stopped by the pid this script started, never by name; every
wait is bounded.
"""
import os
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time

import test_smtp_server_load as load  # its Server, free_base(), fail(), RUNNING

HOST = "127.0.0.1"
USER = "user"      # both added with correu-passwd before the start
SECOND = "second"
MESSAGES = 200
fail = load.fail


class Server(load.Server):
    """correu-mailserver with an LMTP port of its own and the socket in its
    data directory; stopped by pid like the load test's."""

    def __init__(self, binary, tmp):
        super().__init__(binary, tmp, load.free_base())
        self.lmtp = self.base - 101  # the default LMTP port: -p PORT minus 101
        self.sock = os.path.join(self.data, "lmtp.sock")

    def start(self, tag):
        self.out = os.path.join(self.tmp, tag + ".out")
        self.err = os.path.join(self.tmp, tag + ".err")
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(
                [self.binary, "-d", self.data, "-p", str(self.base)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=self.tmp)
        deadline = time.monotonic() + 15  # ASan builds start slower
        while time.monotonic() < deadline:
            if self.sock + " (LMTP)" in open(self.out, errors="replace").read():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.log_tail()
        fail(tag + ": the server did not start")

    def delivered_to(self, user):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.data, "mail", user, "Maildir", sub)
            out += [os.path.join(d, f) for f in sorted(os.listdir(d))] if os.path.isdir(d) else []
        return out


def split_file(path):
    """(our Received: header, the rest) of a delivered file, checking the
    S= size in its name (RFC 5321 section 4.4: the trace goes on top)."""
    raw = open(path, "rb").read()
    m = re.search(r",S=(\d+)", os.path.basename(path))
    if not m or int(m.group(1)) != len(raw):
        fail("%s: size %d does not match its name" % (path, len(raw)))
    m = re.match(rb"Received: [^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*", raw)
    if not m or b"with LMTP" not in m.group(0):
        fail("%s: no LMTP Received: header on top" % path)
    return m.group(0), raw[m.end():]


def smtp_source_test(srv, prog, target, already):
    """MESSAGES messages through smtp-source -L to target; they must all
    be new in USER's Maildir, intact."""
    cmd = [prog, "-L", "-s", "4", "-m", str(MESSAGES), "-l", "1000", "-M", "client.example",
           "-f", "a@localhost", "-t", USER + "@localhost", target]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        fail("smtp-source -L to %s took over 60 s" % target)
    if r.returncode != 0:
        print(r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace"))
        srv.log_tail()
        fail("smtp-source -L to %s exited %d" % (target, r.returncode))
    files = [p for p in srv.delivered_to(USER) if p not in already]
    if len(files) != MESSAGES:
        fail("%d messages delivered through %s, expected %d" % (len(files), target, MESSAGES))
    bodies = set()
    for p in files:
        _, msg = split_file(p)
        head, sep, body = msg.partition(b"\r\n\r\n")
        # smtp-source's own headers, then its -l bytes of body text.
        if not sep or not head.startswith(b"From: <a@localhost>\r\nTo: <user@localhost>\r\n") \
                or len(body) < 1000 or not body.endswith(b"\r\n"):
            fail("%s: not the message smtp-source sent" % p)
        bodies.add(body)
    if len(bodies) != 1:
        fail("smtp-source's %d messages arrived with %d different bodies" % (len(files),
                                                                             len(bodies)))
    print("ok: smtp-source -L delivered %d messages through %s" % (MESSAGES, target))
    return already + files


def lmtp_replies_test(srv, where):
    """One message to USER, an unknown user and SECOND over smtplib.LMTP."""
    tag = "%d.%d" % (os.getpid(), time.monotonic_ns())
    msg = ("From: a@localhost\r\nTo: %s@localhost\r\nSubject: per-recipient %s\r\n"
           "Message-ID: <%s@lmtp.test>\r\n\r\nhello over LMTP\r\n.leading dot\r\n"
           % (USER, where, tag)).encode()
    before = {u: set(srv.delivered_to(u)) for u in (USER, SECOND)}
    if where == "unix":
        c = smtplib.LMTP(srv.sock, timeout=10)
    else:
        c = smtplib.LMTP(HOST, srv.lmtp, timeout=10)
    code, _ = c.ehlo("client.example")  # LHLO (RFC 2033 section 4.1)
    if code != 250:
        fail("LHLO answered %d" % code)
    if c.mail("a@localhost")[0] != 250:
        fail("MAIL refused")
    got = [c.rcpt(r)[0] for r in (USER + "@localhost", "nobody@localhost",
                                  SECOND + "@localhost")]
    if got != [250, 550, 250]:
        fail("RCPT replies %s, expected [250, 550, 250]" % got)
    # smtplib's data() reads the first reply; LMTP sends one per accepted
    # recipient (RFC 2033 section 4.2), so read the second ourselves.
    first = c.data(msg)
    second = c.getreply()
    if first[0] != 250 or second[0] != 250:
        fail("replies after the data: %s, %s" % (first, second))
    c.putcmd("noop")
    noop = c.getreply()
    if noop[0] != 250 or b"2.0.0" not in noop[1]:
        fail("a third reply after the data, or no NOOP reply: %s" % (noop,))
    c.quit()
    for u in (USER, SECOND):
        new = [p for p in srv.delivered_to(u) if p not in before[u]]
        if len(new) != 1:
            fail("%s got %d copies over %s" % (u, len(new), where))
        if split_file(new[0])[1] != msg:
            fail("%s: the message over %s is not what was sent" % (new[0], where))
    if os.path.exists(os.path.join(srv.data, "mail", "nobody")):
        fail("a Maildir was made for the unknown user")
    print("ok: LMTP over %s: 250/550/250 at RCPT, two replies after the data" % where)


def main():
    binary, passwd = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
    tmp = tempfile.mkdtemp(prefix="correu-lmtp-")
    try:
        srv = Server(binary, tmp)
        os.makedirs(srv.data, mode=0o700)
        # With a password file of its own the server makes no first user.
        for user in (USER, SECOND):
            r = subprocess.run([passwd, "-f", os.path.join(srv.data, "passwd"), user],
                               input=(user + "-password\n").encode(), capture_output=True,
                               timeout=30)
            if r.returncode != 0:
                fail("correu-passwd: " + r.stderr.decode(errors="replace"))
        srv.start("first")
        if os.stat(srv.sock).st_mode & 0o777 != 0o600:
            fail("the socket is not the owner's only")
        prog = shutil.which("smtp-source", path=os.environ.get("PATH", "") + ":/usr/sbin")
        if prog:
            seen = smtp_source_test(srv, prog, "%s:%d" % (HOST, srv.lmtp), [])
            smtp_source_test(srv, prog, "unix:" + srv.sock, seen)
        else:
            print("skip: smtp-source (Postfix) is not installed")
        lmtp_replies_test(srv, "tcp")
        lmtp_replies_test(srv, "unix")

        srv.kill()
        if not os.path.exists(srv.sock):
            fail("SIGKILL removed the socket file?")
        srv.start("second")
        lmtp_replies_test(srv, "unix")
        srv.terminate()
        if os.path.exists(srv.sock):
            fail("the socket file outlived a clean shutdown")
        print("ok: stale socket taken over after SIGKILL; removed at SIGTERM")
    finally:
        for s in load.RUNNING:
            s.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
