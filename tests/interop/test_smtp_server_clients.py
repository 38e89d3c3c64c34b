#!/usr/bin/python3
"""Interop tests of correu's SMTP server (tests/interop, suite 'interop')
with real clients, through the correu-mailserver example on free ports of
127.0.0.1 with its own data directory:

  CurlTest          curl over plain SMTP to the MX port, STARTTLS with
                    --ssl-reqd and AUTH on submission, implicit TLS
                    (smtps://) with AUTH; a wrong password and a
                    submission without AUTH are refused.
  CorreuClientTest  correu's own clients: correu-send (PIPELINING) and the
                    blocking session through smtp_driver (PIPELINING with
                    CHUNKING, several messages on one connection), in the
                    clear through a relay that records the client's bytes,
                    so that pipelining and BDAT are seen on the wire; and
                    over STARTTLS and implicit TLS with AUTH.

Every accepted message must be in the user's Maildir byte for byte, after
the one Received: header the server adds (RFC 5321 section 4.4).

    test_smtp_server_clients.py --server CORREU_MAILSERVER --driver SMTP_DRIVER
                                --send CORREU_SEND [TestClass ...]

Exits 77 (skipped) when curl is missing for CurlTest. The server is
started and stopped by peers.py, by its pid.
"""

import argparse
import os
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
import unittest

import peers

ARGS = None
HOST = "127.0.0.1"
USER = "user"  # the first user correu-mailserver creates
RCPT = USER + "@localhost"
RUN_TIMEOUT = 60  # seconds for one client run


# correu-mailserver -p BASE: SMTP, submission +62, SMTPS -60, LMTP -101,
# POP3 -1415, POP3S -530.
PORT_OFFSETS = (0, 62, -60, -101, -1415, -530)


class MailServer:
    """correu-mailserver in the peers' directory; peers.py stops it."""

    def __init__(self, p):
        base = peers.free_port_group(PORT_OFFSETS)
        self.data = p.path("data")
        self.ca_file = os.path.join(self.data, "selfsigned.pem")
        self.port = {"mx": base, "submission": base + 62, "smtps": base - 60}
        self.log = p.path("correu-mailserver.log")
        self.password = None
        p._start("correu-mailserver", [ARGS.server, "-d", self.data, "-p", str(base)],
                 self.port, banner_roles=("mx", "submission"), log=self.log,
                 ready=self._first_user)

    def _first_user(self):
        with open(self.log, errors="replace") as f:
            m = re.search(r'password "([^"]*)"', f.read())
        if m:
            self.password = m.group(1)
        return self.password is not None

    def files(self):
        """Every delivered file's bytes, by name."""
        out = {}
        for sub in ("new", "cur"):
            d = os.path.join(self.data, "mail", USER, "Maildir", sub)
            for name in os.listdir(d) if os.path.isdir(d) else ():
                with open(os.path.join(d, name), "rb") as f:
                    out[name] = f.read()
        return out


def message(tag, n=0):
    """A message with a unique Message-ID, dot-led lines (dot-stuffing),
    8-bit text and a body of a few kilobytes, CRLF throughout."""
    lines = [f"From: <{USER}@localhost>", f"To: <{RCPT}>", f"Subject: {tag} {n}",
             f"Message-ID: <{tag}.{n}.{os.getpid()}.{time.monotonic_ns()}@correu.test>",
             "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
             "", ".a dot-led line", "..two dots", ".", "caf\u00e9 \u00e0 la carte"]
    lines += [f"line {i:04d} of {tag} {n} " + "x" * (i % 70) for i in range(120)]
    return ("\r\n".join(lines) + "\r\n").encode()


def without_received(raw):
    """The file minus the Received: header the server put first (with its
    folded continuation lines); None when there is none."""
    if not raw.startswith(b"Received: "):
        return None
    at = 0
    while True:
        at = raw.index(b"\r\n", at) + 2
        if raw[at:at + 1] not in (b" ", b"\t"):
            return raw[at:]


class Relay:
    """A TCP relay on a free port in front of `port` that records, per
    connection, each read from either side in the order the relay made
    them: ("C", bytes) from the client, ("S", bytes) from the server. A
    client that pipelines sends its next command before the relay has seen
    the reply to the last one (RFC 2920 section 3)."""

    def __init__(self, port):
        self.target = port
        self.conns = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind((HOST, 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            log = []
            with self.lock:
                self.conns.append(log)
            threading.Thread(target=self._pump, args=(c, log), daemon=True).start()

    def _pump(self, client, log):
        server = socket.create_connection((HOST, self.target), timeout=10)
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, ("C", server))
        sel.register(server, selectors.EVENT_READ, ("S", client))
        deadline = time.monotonic() + RUN_TIMEOUT
        try:
            while time.monotonic() < deadline:
                for key, _ in sel.select(1):
                    side, other = key.data
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    with self.lock:
                        log.append((side, data))
                    other.sendall(data)
        finally:
            sel.close()
            client.close()
            server.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()

    def sessions(self):
        with self.lock:
            return [list(c) for c in self.conns]


def client_lines(log):
    """The client's command lines of one connection, each with the number
    of server reads the relay had made before it (BDAT payloads are cut
    out so that message text is not taken for commands)."""
    out, served, buf, skip = [], 0, b"", 0
    for side, data in log:
        if side == "S":
            served += 1
            continue
        buf += data
        while True:
            if skip:
                n = min(skip, len(buf))
                buf, skip = buf[n:], skip - n
                if skip:
                    break
            if b"\r\n" not in buf:
                break
            line, buf = buf.split(b"\r\n", 1)
            out.append((line, served))
            m = re.match(rb"BDAT (\d+)", line, re.I)
            if m:
                skip = int(m.group(1))
    return out


def pipelined(lines, first, second):
    """Whether some `second` command followed a `first` one before any
    reply reached the client in between."""
    for (a, sa), (b, sb) in zip(lines, lines[1:]):
        if a.upper().startswith(first) and b.upper().startswith(second) and sa == sb:
            return True
    return False


def run(argv, stdin=None, password=None):
    env = dict(os.environ)
    if password is not None:
        env["CORREU_PASSWORD"] = password
    return subprocess.run(argv, input=stdin, capture_output=True, timeout=RUN_TIMEOUT, env=env)


class ServerCase(unittest.TestCase):
    """One correu-mailserver for the class; each test checks the files its
    own messages left."""

    @classmethod
    def setUpClass(cls):
        cls.peers = peers.Peers(prefix="correu-smtpd-")
        try:
            cls.srv = MailServer(cls.peers)
        except Exception:
            cls.peers.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.peers.close()

    def setUp(self):
        self.before = set(self.srv.files())

    def assertDelivered(self, sent):
        """Exactly the messages in `sent` arrived since setUp, intact."""
        files = self.srv.files()
        new = [files[n] for n in sorted(set(files) - self.before)]
        got = sorted(filter(None, (without_received(raw) for raw in new)))
        self.assertEqual(len(got), len(new), "a delivered file has no Received: header")
        self.assertEqual(got, sorted(sent))

    def assertOk(self, r, what):
        self.assertEqual(r.returncode, 0, f"{what}: {r.stdout[-800:]!r} {r.stderr[-800:]!r}\n"
                         + peers.tail(self.srv.log))


class CurlTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        cls.curl = peers.skip_or_fail(lambda: peers.find_program("curl"))
        super().setUpClass()

    def curl_send(self, url, msg, *extra):
        port = url.rsplit(":", 1)[1]
        with open(self.peers.path("curl.eml"), "wb") as f:
            f.write(msg)
        return run([self.curl, "-sS", "--max-time", "30", "--resolve", f"localhost:{port}:{HOST}",
                    f"{url}", "--mail-from", f"{USER}@localhost", "--mail-rcpt", RCPT,
                    "--upload-file", self.peers.path("curl.eml"), *extra])

    def test_plain_mx(self):
        msg = message("curl-mx")
        self.assertOk(self.curl_send(f"smtp://localhost:{self.srv.port['mx']}", msg), "curl mx")
        self.assertDelivered([msg])

    def test_starttls_auth(self):
        msg = message("curl-starttls")
        r = self.curl_send(f"smtp://localhost:{self.srv.port['submission']}", msg, "--ssl-reqd",
                           "--cacert", self.srv.ca_file, "--user", f"{USER}:{self.srv.password}")
        self.assertOk(r, "curl STARTTLS")
        self.assertDelivered([msg])

    def test_implicit_tls_auth(self):
        msg = message("curl-smtps")
        r = self.curl_send(f"smtps://localhost:{self.srv.port['smtps']}", msg, "--cacert",
                           self.srv.ca_file, "--user", f"{USER}:{self.srv.password}")
        self.assertOk(r, "curl smtps")
        self.assertDelivered([msg])

    def test_refusals(self):
        # A wrong password: curl's "login denied" (67); then submission
        # without AUTH, whose MAIL gets 530 (RFC 4954 section 6).
        r = self.curl_send(f"smtps://localhost:{self.srv.port['smtps']}", message("bad"),
                           "--cacert", self.srv.ca_file, "--user", f"{USER}:wrong")
        self.assertEqual(r.returncode, 67, r.stderr)
        r = self.curl_send(f"smtp://localhost:{self.srv.port['submission']}", message("anon"),
                           "--ssl-reqd", "--cacert", self.srv.ca_file)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"530", r.stderr)
        self.assertDelivered([])


class CorreuClientTest(ServerCase):
    def write(self, msg):
        path = self.peers.path(f"msg.{time.monotonic_ns()}.eml")
        with open(path, "wb") as f:
            f.write(msg)
        return path

    def driver(self, host, port, msg, count, *extra, password=None):
        """smtp_driver: `count` copies of msg over one session."""
        return run([ARGS.driver, "--host", host, "--port", str(port), "--from",
                    f"{USER}@localhost", "--to", RCPT, "--message", self.write(msg), "--count",
                    str(count), *extra], password=password)

    def send(self, host, port, msg, *extra, password=None):
        """correu-send: msg on its standard input."""
        return run([ARGS.send, "-H", host, "-p", str(port), "-f", f"{USER}@localhost", *extra,
                    RCPT], stdin=msg, password=password)

    def recorded(self, client):
        """Run client(port) against the MX port through a Relay; returns
        its result and the one session's client lines."""
        relay = Relay(self.srv.port["mx"])
        try:
            r = client(relay.port)
            sessions = relay.sessions()
        finally:
            relay.close()
        self.assertOk(r, "client")
        self.assertEqual(len(sessions), 1, "one connection for all messages")
        return r, client_lines(sessions[0])

    def test_driver_pipelining_chunking(self):
        msg = message("driver-bdat")
        r, lines = self.recorded(
            lambda port: self.driver(HOST, port, msg, 3, "--tls", "none", "--chunking"))
        self.assertIn(b"ready tls=0 pipelining=1 chunking=1", r.stdout)
        verbs = [ln.split(b" ")[0].upper() for ln, _ in lines]
        self.assertEqual(verbs.count(b"MAIL"), 3)
        self.assertNotIn(b"DATA", verbs)
        self.assertGreaterEqual(verbs.count(b"BDAT"), 3)
        self.assertTrue(pipelined(lines, b"MAIL FROM", b"RCPT TO"), lines)
        self.assertTrue(pipelined(lines, b"RCPT TO", b"BDAT"), lines)
        self.assertDelivered([msg] * 3)

    def test_send_pipelining(self):
        msg = message("send-pipe")
        _, lines = self.recorded(lambda port: self.send(HOST, port, msg, "--tls", "none"))
        self.assertTrue(pipelined(lines, b"MAIL FROM", b"RCPT TO"), lines)
        self.assertTrue(pipelined(lines, b"RCPT TO", b"DATA"), lines)
        self.assertDelivered([msg])

    def test_driver_starttls_auth(self):
        msg = message("driver-tls")
        r = self.driver("localhost", self.srv.port["submission"], msg, 3, "--tls", "starttls",
                        "--ca-file", self.srv.ca_file, "--user", USER, "--chunking",
                        password=self.srv.password)
        self.assertOk(r, "smtp_driver STARTTLS")
        self.assertIn(b"ready tls=1", r.stdout)
        self.assertIn(b"login ok", r.stdout)
        self.assertEqual(r.stdout.count(b"accepted=1 reply=250"), 3, r.stdout)
        self.assertDelivered([msg] * 3)

    def test_send_tls_auth(self):
        sent = []
        for mode, port in (("starttls", "submission"), ("implicit", "smtps")):
            msg = message("send-" + mode)
            r = self.send("localhost", self.srv.port[port], msg, "--tls", mode, "--ca-file",
                          self.srv.ca_file, "-u", USER, password=self.srv.password)
            self.assertOk(r, "correu-send " + mode)
            sent.append(msg)
        self.assertDelivered(sent)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--driver", required=True)
    ap.add_argument("--send", required=True)
    ARGS, rest = ap.parse_known_args()
    for name in ("server", "driver", "send"):
        setattr(ARGS, name, os.path.realpath(getattr(ARGS, name)))
    prog = unittest.main(argv=[sys.argv[0], "-v", *rest], exit=False)
    result = prog.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun and len(result.skipped) == result.testsRun:
        sys.exit(peers.SKIP_STATUS)
    sys.exit(0)


if __name__ == "__main__":
    main()
