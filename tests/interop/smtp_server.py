#!/usr/bin/python3
"""An SMTP server with STARTTLS, implicit TLS and AUTH for correu's interop
tests (tests/interop), built on Debian's python3-aiosmtpd; peers.py starts
it. Run it with /usr/bin/python3, the only interpreter that can import
that package.

    smtp_server.py --cert CERT --key KEY --save DIR --ready FILE [--max-seconds N]

It listens on four ports of 127.0.0.1 that the kernel picks, and writes
them to FILE as "submission=P login_only=P plain_auth=P smtps=P" once all
accept:

  submission  STARTTLS offered; AUTH refused until TLS is up (RFC 3207 §4)
  login_only  the same, but AUTH offers only LOGIN
  plain_auth  STARTTLS offered; AUTH allowed in cleartext too
  smtps       TLS from the first byte (RFC 8314); AUTH allowed

Accounts: alice/secret and bob/secret2 through PLAIN and LOGIN. A
recipient whose address starts with "refuse" gets 550 at RCPT. Each
message is written to DIR/NNNNNN.eml: its envelope as X-Peer-Mail-From,
X-Peer-Rcpt-To, X-Peer-Auth, X-Peer-TLS and X-Peer-Helo (the EHLO name)
lines, a blank line, then the message bytes exactly as received
(dot-stuffing undone). Stops on SIGTERM, or by itself after
--max-seconds so a forgotten server cannot linger.
"""

import argparse
import asyncio
import logging
import os
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

ACCOUNTS = {b"alice": b"secret", b"bob": b"secret2"}
HOST = "127.0.0.1"


def check_password(server, session, envelope, mechanism, auth_data):
    """aiosmtpd's authenticator hook: PLAIN and LOGIN hand over a name and
    password; anything else (or a wrong password) fails."""
    ok = (isinstance(auth_data, LoginPassword)
          and ACCOUNTS.get(auth_data.login) == auth_data.password)
    return AuthResult(success=ok, handled=False)


class Spool:
    """Handler that numbers and saves each message."""

    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # A way for tests to see a recipient refused at RCPT time.
        if address.startswith("refuse"):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        # One event loop thread: the counter needs no lock.
        self.count += 1
        # session.ssl is set by STARTTLS only; implicit TLS shows on the transport.
        tls = server.transport.get_extra_info("ssl_object") is not None
        meta = (f"X-Peer-Mail-From: {envelope.mail_from}\r\n"
                f"X-Peer-Rcpt-To: {','.join(envelope.rcpt_tos)}\r\n"
                f"X-Peer-Auth: {bool(session.authenticated)}\r\n"
                f"X-Peer-TLS: {tls}\r\n"
                f"X-Peer-Helo: {session.host_name}\r\n\r\n").encode()
        name = os.path.join(self.directory, f"{self.count:06d}.eml")
        with open(name + ".tmp", "wb") as f:
            f.write(meta)
            f.write(envelope.original_content or envelope.content)
        # Readers never see a half-written file.
        os.rename(name + ".tmp", name)
        return "250 2.0.0 Ok: saved"


async def serve(args):
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    spool = Spool(args.save)
    loop = asyncio.get_running_loop()

    def factory(auth_require_tls, starttls, exclude=()):
        return lambda: SMTP(spool, hostname="aiosmtpd.localhost",
                            tls_context=tls if starttls else None,
                            require_starttls=False, auth_require_tls=auth_require_tls,
                            auth_exclude_mechanism=list(exclude),
                            authenticator=check_password, enable_SMTPUTF8=True,
                            data_size_limit=64 * 1024 * 1024)

    servers = {
        "submission": await loop.create_server(factory(True, True), HOST, 0),
        "login_only": await loop.create_server(factory(True, True, ["PLAIN"]), HOST, 0),
        "plain_auth": await loop.create_server(factory(False, True), HOST, 0),
        "smtps": await loop.create_server(factory(False, False), HOST, 0, ssl=tls),
    }
    ports = " ".join(f"{k}={s.sockets[0].getsockname()[1]}" for k, s in servers.items())
    with open(args.ready + ".tmp", "w") as f:
        f.write(ports + "\n")
    os.rename(args.ready + ".tmp", args.ready)
    print(f"smtp_server: listening {ports}", flush=True)

    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), args.max_seconds)
    except asyncio.TimeoutError:
        print("smtp_server: --max-seconds reached", flush=True)
    for s in servers.values():
        s.close()
    print(f"smtp_server: stopping after {spool.count} messages", flush=True)


def main():
    # aiosmtpd 1.4 warns on every AUTH that Session.login_data is
    # deprecated; that noise would bury real errors in the log.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--save", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--max-seconds", type=float, default=600)
    args = ap.parse_args()
    os.makedirs(args.save, exist_ok=True)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
