#!/usr/bin/python3
"""Interop tests of correu's POP3 server with real mail clients
(tests/interop, suite 'interop'): fetchmail and mutt download from
pop3_serverd (the server core on the runtime with the Maildir backend) over
loopback, with STLS and with implicit TLS, verifying the test certificate.
fetchmail hands each message to an MDA that writes one file per message;
mutt runs its fetch-mail function in batch (`-e 'push <fetch-mail><quit>'`
on a pseudo-terminal, as mutt has no other non-interactive POP3 fetch) into
a local Maildir. Every message must arrive once with its content, and the
server's Maildir must then hold the messages or not, as the client was
told to keep them or not.

    test_pop3_server_clients.py --server PATH [TestClass ...]

Classes: FetchmailTest, MuttTest. Exits 77 when a class's client (or
openssl, for the certificate) is not installed.
"""

import argparse
import os
import pty
import select
import signal
import subprocess
import sys
import time

import peers
import test_pop3_server as base

RUN_TIMEOUT = 60  # seconds for one client run


def parse(data):
    """(Message-ID, header lines, body) of a message with LF or CRLF ends."""
    data = data.replace(b"\r\n", b"\n")
    head, _, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    mid = next((l.split(b":", 1)[1].strip() for l in lines
                if l.lower().startswith(b"message-id:")), None)
    return mid, lines, body


def read_files(*dirs):
    out = []
    for d in dirs:
        for n in sorted(os.listdir(d)):
            with open(os.path.join(d, n), "rb") as f:
                out.append(f.read())
    return out


class ClientCase(base.ServerCase):
    """Six messages, one of 256 KiB, in alice's Maildir; the server up."""

    def setUp(self):
        super().setUp()
        self.msgs = [base.message(i, body_lines=3 * i) for i in range(1, 6)]
        self.msgs.append(base.message(6, big=256 * 1024))
        base.put_messages(self.maildir, self.msgs)
        self.server = self.start()

    def server_count(self):
        return sum(len(os.listdir(os.path.join(self.maildir, d))) for d in ("new", "cur"))

    def assert_delivered(self, got):
        """Each message arrived exactly once, its header lines all there
        (a client may add its own, such as Received:) and its body whole."""
        want = {parse(m)[0]: m for m in self.msgs}
        seen = [parse(g)[0] for g in got]
        self.assertEqual(sorted(seen), sorted(want), "delivered Message-IDs")
        for g in got:
            mid, lines, body = parse(g)
            _, want_lines, want_body = parse(want[mid])
            for line in want_lines:
                self.assertIn(line, lines, mid)
            self.assertEqual(body, want_body, mid)


class FetchmailTest(ClientCase):
    def setUp(self):
        super().setUp()
        self.fetchmail = peers.skip_or_fail(lambda: peers.find_program("fetchmail"))
        self.out = self.p.path("delivered")
        os.makedirs(self.out)

    def run_fetchmail(self, port, tls_mode, keep, common_name="localhost"):
        """One poll; returns fetchmail's exit status and output. The name
        checked in the certificate is given with sslcommonname, since the
        poll goes to 127.0.0.1 and fetchmail matches DNS names only."""
        rc = self.p.path(f"fetchmailrc.{time.monotonic_ns()}")
        # %T is fetchmail's; $$ (the MDA shell's pid) names one file per
        # message.
        with open(rc, "w") as f:
            f.write(f"""set no bouncemail
set no syslog
poll 127.0.0.1 service {port} protocol POP3 uidl
  user "{base.USER}" there with password "{base.PASSWORD}" is "root" here
  {tls_mode} sslcertck sslcertfile "{self.p.ca_file}" sslcommonname "{common_name}"
  no rewrite
  mda "cat > {self.out}/msg.$$"
  {"keep" if keep else "no keep"}
""")
        os.chmod(rc, 0o600)
        env = dict(os.environ, HOME=self.p.path(), LC_ALL="C")
        r = subprocess.run([self.fetchmail, "-f", rc, "--nodetach", "-v",
                            "-i", self.p.path("fetchids")],
                           capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
        return r.returncode, r.stdout + r.stderr

    def test_stls_keep_then_nothing_new(self):
        # sslproto without `ssl` makes STLS mandatory (fetchmail(1)).
        rc, log = self.run_fetchmail(self.server.plain, 'sslproto "TLS1.2+"', keep=True)
        self.assertEqual(rc, 0, log)
        self.assertIn("STLS", log)
        self.assertNotIn("PASS " + base.PASSWORD, log)
        self.assert_delivered(read_files(self.out))
        self.assertEqual(self.server_count(), len(self.msgs), "keep deleted mail")
        # Its UIDL list says all were fetched: status 1 is "no mail".
        rc, log = self.run_fetchmail(self.server.plain, 'sslproto "TLS1.2+"', keep=True)
        self.assertEqual(rc, 1, log)
        self.assertEqual(len(os.listdir(self.out)), len(self.msgs))

    def test_implicit_tls_deletes(self):
        rc, log = self.run_fetchmail(self.server.tls, "ssl", keep=False)
        self.assertEqual(rc, 0, log)
        self.assert_delivered(read_files(self.out))
        self.assertIn(f"POP3> DELE {len(self.msgs)}", log)
        self.assertEqual(self.server_count(), 0, "fetched mail left on the server")

    def test_wrong_certificate_name_fetches_nothing(self):
        rc, log = self.run_fetchmail(self.server.tls, "ssl", keep=False,
                                     common_name="other.example")
        self.assertNotIn(rc, (0, 1), log)
        self.assertEqual(os.listdir(self.out), [])
        self.assertEqual(self.server_count(), len(self.msgs))


class MuttTest(ClientCase):
    def setUp(self):
        super().setUp()
        self.mutt = peers.skip_or_fail(lambda: peers.find_program("mutt"))
        self.local = self.p.path("local")
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.local, d))

    def run_mutt(self, url, delete):
        """mutt's fetch-mail, then quit, on a pseudo-terminal; returns its
        exit status and screen output. The test certificate is trusted
        through certificate_file; a certificate mutt cannot verify would
        stop at its accept prompt, and the run times out and fails."""
        rc = self.p.path("muttrc")
        with open(rc, "w") as f:
            f.write(f"""set mbox_type=Maildir
set spoolfile="{self.local}"
set folder="{self.local}"
set pop_host="{url}"
set pop_pass="{base.PASSWORD}"
set pop_delete={"yes" if delete else "no"}
set ssl_starttls=yes
set ssl_force_tls=yes
set certificate_file="{self.p.ca_file}"
set quit=yes
set wait_key=no
""")
        env = dict(os.environ, HOME=self.p.path(), TERM="vt100", LC_ALL="C")
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execve(self.mutt, [self.mutt, "-n", "-F", rc, "-e",
                                      "push <fetch-mail><quit>"], env)
            finally:
                os._exit(127)
        screen, status = b"", None
        deadline = time.monotonic() + RUN_TIMEOUT
        try:
            while status is None and time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    try:
                        screen += os.read(fd, 65536)
                    except OSError:  # EIO: the terminal's other side closed
                        pass
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = os.waitstatus_to_exitcode(st)
        finally:
            if status is None:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            os.close(fd)
        return status, screen.decode("latin-1")

    def local_messages(self):
        return read_files(os.path.join(self.local, "new"), os.path.join(self.local, "cur"))

    def test_stls_fetch_mail_deletes(self):
        url = f"pop://{base.USER}@localhost:{self.server.plain}"
        status, screen = self.run_mutt(url, delete=True)
        self.assertEqual(status, 0, screen[-2000:])
        self.assert_delivered(self.local_messages())
        self.assertEqual(self.server_count(), 0, "fetched mail left on the server")

    def test_implicit_tls_fetch_mail_keeps(self):
        url = f"pops://{base.USER}@localhost:{self.server.tls}"
        status, screen = self.run_mutt(url, delete=False)
        self.assertEqual(status, 0, screen[-2000:])
        self.assert_delivered(self.local_messages())
        self.assertEqual(self.server_count(), len(self.msgs), "pop_delete=no deleted mail")


CLASSES = {"FetchmailTest": FetchmailTest, "MuttTest": MuttTest}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("classes", nargs="*", default=list(CLASSES))
    args = ap.parse_args()
    if not os.access(args.server, os.X_OK):
        print(f"FAIL: {args.server} is not built", flush=True)
        return 1
    base.ARGS = args
    peers.skip_or_fail(lambda: peers.find_program("openssl"))
    return base.run_classes(CLASSES, args.classes)


if __name__ == "__main__":
    sys.exit(main())
