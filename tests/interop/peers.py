#!/usr/bin/python3
"""Third-party mail servers for correu's interop tests (tests/interop).

Each Peers() object owns a fresh temporary directory and starts, on demand,
private instances of Dovecot (IMAP, POP3, LMTP), Postfix's smtp-sink, an
aiosmtpd server (smtp_server.py) and a Postfix MTA. Everything listens on
127.0.0.1 only, on free ports picked at start, so tests can run side by
side. Processes are stopped by the pid this module started (checked against
the process start time, so a recycled pid is never signalled), never by
name; every wait is bounded, and a peer that does not come up raises
PeerError with the end of its log. A program that is not installed raises
Skip, which main() turns into exit status 77 (meson's "skipped").

    with peers.Peers() as p:
        d = p.dovecot()        # d.port['imap'], d.maildir('alice'), ...
        a = p.aiosmtpd()       # a.port['submission'], a.received()
        p.ca_file              # the generated certificate, a trust anchor

From a shell script, or to poke the peers by hand:

    peers.py run dovecot aiosmtpd -- COMMAND ARGS...

starts the named peers, runs COMMAND with PEER_* variables describing them
(PEER_DIR, PEER_CA_FILE, PEER_DOVECOT_IMAP_PORT, ...; `peers.py run
dovecot -- env` lists them), stops the peers and exits with COMMAND's
status. Standard library only; run it with /usr/bin/python3, the only
interpreter that can import Debian's python3-aiosmtpd.
"""

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))

#: The accounts every peer knows: user -> password.
USERS = {"alice": "secret", "bob": "secret2", "tester": "swordfish"}

#: Meson's exit status for a skipped test.
SKIP_STATUS = 77

START_TIMEOUT = 15.0  # seconds for a peer to answer on all its ports
STOP_TIMEOUT = 10.0   # seconds between SIGTERM and SIGKILL


class Skip(Exception):
    """A peer cannot run here (its program is not installed)."""


class PeerError(Exception):
    """A peer did not start or misbehaved; the message ends with its log."""


def find_program(name, *dirs):
    """Path of an installed program, looked for on PATH and in dirs (the
    sbin directories are often not on a test's PATH). Raises Skip."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *dirs, "/usr/sbin", "/usr/local/sbin"])
    found = shutil.which(name, path=path)
    if not found:
        raise Skip(f"{name} is not installed (Debian: bash .ci/deps.sh test)")
    return found


def need_aiosmtpd():
    """Raise Skip unless /usr/bin/python3 can import aiosmtpd."""
    if not os.access(PYTHON, os.X_OK):
        raise Skip(f"{PYTHON} is not installed")
    r = subprocess.run([PYTHON, "-c", "import aiosmtpd"], capture_output=True, timeout=30,
                       env=peer_env())
    if r.returncode != 0:
        raise Skip(f"{PYTHON} cannot import aiosmtpd (apt-get install python3-aiosmtpd)")


def need_root(what):
    """Raise Skip unless running as root."""
    if os.getuid() != 0:
        raise Skip(f"{what} needs root")


def free_ports(n):
    """n distinct free TCP ports on 127.0.0.1. All are held open together
    while the kernel picks them, so they differ from one another; another
    process could still take one before the peer binds it, which the
    peer's start-up then reports."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port_group(offsets, tries=200):
    """A port `base` such that every base + offset is a free TCP port on
    127.0.0.1, for a server that derives its ports from one (such as
    correu-mailserver -p). All of a candidate's ports are held together
    while checked; as with free_ports(), one can still be taken before
    the server binds it. Raises PeerError when none is found."""
    low, high = 1024 - min(offsets), 65535 - max(offsets)
    for _ in range(tries):
        base = int.from_bytes(os.urandom(2), "big") % (high - low) + low
        socks = []
        try:
            for off in offsets:
                s = socket.socket()
                socks.append(s)
                s.bind((HOST, base + off))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise PeerError(f"no free group of ports at offsets {sorted(offsets)}")


def peer_env():
    """The environment for a peer: the caller's, without a sanitizer
    runtime preloaded for correu's own tests (peers are not instrumented)."""
    env = dict(os.environ)
    for name in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        env.pop(name, None)
    return env


def tail(path, lines=30):
    """The last lines of a log file, for error messages."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError as e:
        return f"(no log: {e})"
    return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------- processes

def _stat(pid):
    """(parent pid, start time) of a live process from /proc, or None when
    it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name may hold spaces and parentheses: split after the last ")".
    fields = data[data.rfind(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[1]), int(fields[19])


def _descendants(root):
    """[(pid, start time)] of every descendant of root, from one /proc scan."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _stat(int(name))
            if st:
                children.setdefault(st[0], []).append((int(name), st[1]))
    found, queue = [], [root]
    while queue:
        for kid in children.get(queue.pop(), []):
            found.append(kid)
            queue.append(kid[0])
    return found


def _alive(pid, start):
    st = _stat(pid)
    return st is not None and st[1] == start


class Process:
    """A peer process this module started, its output going to a log file."""

    def __init__(self, name, argv, log, term_children=False):
        self.name = name
        self.log = log
        # Postfix's start-fg leaves a shell between us and the master,
        # which must be told too.
        self.term_children = term_children
        with open(log, "ab") as out:
            # Its own session, so a terminal's ^C reaches the test, which
            # then stops the peer in order, rather than the peer directly.
            self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=subprocess.STDOUT, env=peer_env(),
                                          start_new_session=True)
        self.pid = self.popen.pid

    def running(self):
        return self.popen.poll() is None

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_TIMEOUT; children the process
        had (Dovecot's and Postfix's workers) get 2 s more to follow it."""
        if not self.running():
            return
        kids = _descendants(self.pid)
        self.popen.send_signal(signal.SIGTERM)
        if self.term_children:
            for pid, start in kids:
                st = _stat(pid)  # None once it has exited meanwhile
                if st and st == (self.pid, start):
                    _kill_quietly(pid, signal.SIGTERM)
        try:
            self.popen.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(5)
        deadline = time.monotonic() + 2
        while any(_alive(*k) for k in kids) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid, start in kids:
            if _alive(pid, start):
                _kill_quietly(pid, signal.SIGKILL)


def _kill_quietly(pid, sig):
    """Signal a process that may exit at any moment: one already gone is
    what we wanted anyway."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _answers(port, banner, timeout=1.0):
    """Whether something accepts on port (and, for a banner port, sends a
    first byte: the greeting means the service is really up)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            return not banner or s.recv(1) != b""
    except OSError:
        return False


# ---------------------------------------------------------------- peers

class Peer:
    """A started peer: name, process, log file and ports by role."""

    def __init__(self, name, proc, log, port):
        self.name = name
        self.proc = proc
        self.log = log
        self.port = port  # role -> TCP port

    def describe(self):
        return f"{self.name} pid {self.proc.pid} " + " ".join(
            f"{k}:{v}" for k, v in sorted(self.port.items()))


def _stop_on_sigterm():
    """Make SIGTERM (meson's timeout, a CI runner's cancel) unwind the test
    like ^C does, so that close() still stops the peers: they run in their
    own sessions and would outlive a test killed outright."""
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL):
        def unwind(signum, frame):
            raise SystemExit(128 + signum)
        signal.signal(signal.SIGTERM, unwind)


class Peers:
    """A set of peers sharing one temporary directory and certificate.

    Use it as a context manager (or call close()): every peer it started is
    stopped and the directory removed, unless CORREU_KEEP_PEERS is set.
    """

    def __init__(self, prefix="correu-peers-"):
        self.root = os.getuid() == 0
        # Short, under /tmp: Dovecot's unix sockets must fit in 108 bytes.
        self.dir = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        # Dovecot's and Postfix's unprivileged processes must reach it.
        os.chmod(self.dir, 0o755)
        self.peers = []
        self._cert = None
        _stop_on_sigterm()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for p in reversed(self.peers):
            p.proc.stop()
        self.peers = []
        if os.environ.get("CORREU_KEEP_PEERS"):
            print(f"peers: kept {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    # ---- certificate

    @property
    def ca_file(self):
        """A self-signed certificate for localhost and 127.0.0.1 with
        CA:TRUE, so that clients can trust it as its own anchor; made on
        first use (a P-256 key: quick to generate)."""
        return self._certificate()[0]

    @property
    def key_file(self):
        """The private key of ca_file, for the servers."""
        return self._certificate()[1]

    def _certificate(self):
        if self._cert is None:
            openssl = find_program("openssl")
            cert, key = self.path("cert.pem"), self.path("key.pem")
            r = subprocess.run(
                [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                 "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                 "-addext", "basicConstraints=critical,CA:TRUE"],
                capture_output=True, timeout=60, env=peer_env())
            if r.returncode != 0:
                raise PeerError("openssl could not make a certificate:\n"
                                + r.stderr.decode("utf-8", "replace"))
            os.chmod(cert, 0o644)
            self._cert = (cert, key)
        return self._cert

    # ---- common start-up

    def _start(self, name, argv, port, banner_roles=(), log=None, ready=None,
               term_children=False):
        """Run argv and wait until every port answers (banner roles must
        greet), the process staying alive; ready() may add a condition."""
        log = log or self.path(f"{name}.log")
        proc = Process(name, argv, log, term_children=term_children)
        peer = Peer(name, proc, log, port)
        self.peers.append(peer)
        deadline = time.monotonic() + START_TIMEOUT
        waiting = dict(port)
        while waiting or (ready and not ready()):
            if not proc.running():
                raise PeerError(f"{name} exited with status {proc.popen.returncode}:\n"
                                + tail(log))
            if time.monotonic() > deadline:
                proc.stop()
                raise PeerError(f"{name} did not answer on {sorted(waiting.values())} within "
                                f"{START_TIMEOUT:.0f} s:\n" + tail(log))
            for role, p in list(waiting.items()):
                if _answers(p, role in banner_roles):
                    del waiting[role]
            if waiting or (ready and not ready()):
                time.sleep(0.05)
        return peer

    def _mail_owner(self):
        """(uid, gid, user name) mail is stored as: nobody when root (the
        servers refuse to deliver as root), else the calling user."""
        uid = 65534 if self.root else os.getuid()
        ent = pwd.getpwuid(uid)
        return ent.pw_uid, ent.pw_gid, ent.pw_name

    # ---- Dovecot

    def dovecot(self, separator=".", extra_conf=""):
        """Dovecot with IMAP (STARTTLS) and IMAPS, POP3 (STLS) and POP3S,
        and LMTP, for USERS with PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-1/256.
        Mail goes to Maildirs under this directory (see maildir()).

        separator: the hierarchy separator of the INBOX namespace ("." is
        Dovecot's Maildir++ default). extra_conf: appended to the config.
        Ports: imap, imaps, pop3, pop3s, lmtp."""
        dovecot = find_program("dovecot")
        base = self.path("dovecot")
        for d in ("run", "state"):
            os.makedirs(os.path.join(base, d), exist_ok=True)
        uid, gid, user = self._mail_owner()
        with open(os.path.join(base, "users"), "w") as f:
            for name, pw in USERS.items():
                home = self.path("mail", name)
                os.makedirs(home, exist_ok=True)
                os.chown(home, uid, gid)
                f.write(f"{name}:{{PLAIN}}{pw}:{uid}:{gid}::{home}::\n")
        port = dict(zip(("imap", "imaps", "pop3", "pop3s", "lmtp"), free_ports(5)))
        conf = os.path.join(base, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(_dovecot_conf(self, base, port, separator, user, extra_conf))
        # -F: the master stays in the foreground, our child, stopped by its pid.
        return self._start("dovecot", [dovecot, "-F", "-c", conf], port,
                           banner_roles=("imap", "pop3", "lmtp"),
                           log=os.path.join(base, "dovecot.log"))

    def maildir(self, user):
        """The Maildir Dovecot delivers user's INBOX to."""
        return self.path("mail", user, "Maildir")

    # ---- smtp-sink

    def smtp_sink(self, hide_auth=True, extra_args=()):
        """Postfix's smtp-sink: accepts and discards everything, with
        PIPELINING, no TLS. hide_auth: do not announce AUTH, which it would
        answer with 250 instead of 235. Port: smtp."""
        sink = find_program("smtp-sink", "/usr/lib/postfix/sbin")
        (p,) = free_ports(1)
        argv = [sink]
        if self.root:
            argv += ["-u", self._mail_owner()[2]]  # it refuses to run as root
        if hide_auth:
            argv.append("-a")
        argv += [*extra_args, f"{HOST}:{p}", "256"]
        return self._start("smtp-sink", argv, {"smtp": p}, banner_roles=("smtp",))

    # ---- aiosmtpd

    def aiosmtpd(self):
        """An aiosmtpd server (smtp_server.py) for USERS alice and bob, AUTH
        PLAIN and LOGIN, saving every message. Ports: submission (STARTTLS,
        AUTH only after it), login_only (the same with only AUTH LOGIN),
        plain_auth (STARTTLS offered, AUTH allowed without it), smtps
        (implicit TLS). See received()."""
        need_aiosmtpd()
        ready = self.path("aiosmtpd.ports")
        spool = self.path("aiosmtpd-received")
        argv = [PYTHON, os.path.join(HERE, "smtp_server.py"), "--cert", self.ca_file,
                "--key", self.key_file, "--save", spool, "--ready", ready,
                "--max-seconds", "600"]
        # The server binds port 0 itself and writes the ports it got, so
        # there is no window for another process to take them.
        peer = self._start("aiosmtpd", argv, {}, ready=lambda: os.path.exists(ready))
        with open(ready) as f:
            peer.port = {k: int(v) for k, v in (w.split("=") for w in f.read().split())}
        peer.spool = spool
        return peer

    def received(self):
        """Messages aiosmtpd saved, oldest first: (headers dict, raw bytes),
        the headers being its X-Peer-* envelope lines."""
        spool = self.path("aiosmtpd-received")
        out = []
        for name in sorted(os.listdir(spool)) if os.path.isdir(spool) else []:
            with open(os.path.join(spool, name), "rb") as f:
                data = f.read()
            env, _, body = data.partition(b"\r\n\r\n")
            meta = dict(line.split(": ", 1) for line in env.decode().split("\r\n"))
            out.append((meta, body))
        return out

    # ---- Postfix

    def postfix(self):
        """A private Postfix MTA (needs root): delivers @localhost to this
        Dovecot's LMTP (started if needed), discards @sink.localhost,
        refuses relaying; submission requires STARTTLS and AUTH (SASL
        through Dovecot). Ports: smtp, submission, smtps."""
        need_root("a private Postfix instance")
        postfix = find_program("postfix")
        d = next((p for p in self.peers if p.name == "dovecot"), None) or self.dovecot()
        base = self.path("postfix")
        etc = os.path.join(base, "etc")
        for sub in ("etc", "spool", "data"):
            os.makedirs(os.path.join(base, sub), exist_ok=True)
        shutil.chown(os.path.join(base, "data"), "postfix", "postfix")
        port = dict(zip(("smtp", "submission", "smtps"), free_ports(3)))
        with open(os.path.join(etc, "main.cf"), "w") as f:
            f.write(_postfix_main(self, base, d))
        with open(os.path.join(etc, "master.cf"), "w") as f:
            f.write(_postfix_master(port))
        # start-fg keeps the master in the foreground as our child.
        return self._start("postfix", [postfix, "-c", etc, "start-fg"], port,
                           banner_roles=("smtp", "submission"),
                           log=os.path.join(base, "maillog"), term_children=True)

    def environment(self):
        """PEER_* variables describing the running peers."""
        env = {"PEER_DIR": self.dir, "PEER_HOST": HOST}
        if self._cert:
            env["PEER_CA_FILE"] = self._cert[0]
        for p in self.peers:
            key = p.name.upper().replace("-", "_")
            env[f"PEER_{key}_PID"] = str(p.proc.pid)
            env[f"PEER_{key}_LOG"] = p.log
            for role, port in p.port.items():
                env[f"PEER_{key}_{role.upper()}_PORT"] = str(port)
        if any(p.name == "dovecot" for p in self.peers):
            env["PEER_MAIL_DIR"] = self.path("mail")
        return env


# ---------------------------------------------------------------- configs

def _dovecot_conf(peers, base, port, separator, user, extra):
    ssl_dh = "/usr/share/dovecot/dh.pem"
    dh_line = f"ssl_dh = <{ssl_dh}\n" if os.path.exists(ssl_dh) else ""
    # Not root: Dovecot cannot switch users or chroot, so everything runs as
    # the caller.
    unprivileged = "" if peers.root else f"""
default_internal_user = {user}
default_internal_group = {_group_name()}
default_login_user = {user}
service imap-login {{
  chroot =
}}
service pop3-login {{
  chroot =
}}
service anvil {{
  chroot =
}}
"""
    return f"""# Dovecot for correu's interop tests, written by tests/interop/peers.py.
# Loopback only; nothing is read from /etc/dovecot.
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
instance_name = correu-{os.path.basename(peers.dir)}
protocols = imap pop3 lmtp
listen = {HOST}
first_valid_uid = 1

ssl = yes
ssl_cert = <{peers.ca_file}
ssl_key = <{peers.key_file}
{dh_line}ssl_min_protocol = TLSv1.2

# Plaintext passwords in the users file, so the challenge-response
# mechanisms can work too; AUTH without TLS is the tests' business.
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
auth_failure_delay = 0
# A failed login would otherwise make Dovecot's anvil slow down every later
# login from 127.0.0.1, good ones included (2, 4, 8, then 15 s), which
# tests of wrong passwords trip over. This lookup-only passdb sets
# "nodelay" first; the failing passdb below rolls back only its own fields,
# so the flag survives and the penalty never starts.
passdb {{
  driver = static
  args = noauthenticate nodelay=yes
  result_success = continue
}}
# %n: LMTP recipients arrive as user@domain.
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {base}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%n {base}/users
}}

mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = {separator}
}}
# One user opens many sessions in stress tests (the default allows 10).
protocol imap {{
  mail_max_userip_connections = 500
}}
protocol pop3 {{
  mail_max_userip_connections = 500
}}
protocol lmtp {{
  postmaster_address = postmaster@localhost
}}

service imap-login {{
  inet_listener imap {{
    port = {port['imap']}
  }}
  inet_listener imaps {{
    port = {port['imaps']}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {port['pop3']}
  }}
  inet_listener pop3s {{
    port = {port['pop3s']}
    ssl = yes
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    port = {port['lmtp']}
  }}
}}
# Postfix's SASL asks Dovecot (peers.postfix()).
service auth {{
  unix_listener auth-postfix {{
    mode = 0666
  }}
}}
{unprivileged}{extra}
"""


def _group_name():
    return grp.getgrgid(os.getgid()).gr_name


def _postfix_main(peers, base, dovecot):
    return f"""# Postfix for correu's interop tests, written by tests/interop/peers.py.
compatibility_level = 3.6
config_directory = {base}/etc
queue_directory = {base}/spool
data_directory = {base}/data
mail_owner = postfix
setgid_group = postdrop
# Postfix logs to syslog unless told otherwise; the prefix list must allow
# the file, or it refuses to start.
maillog_file = {base}/maillog
maillog_file_prefixes = {base}
myhostname = postfix.localhost
mydomain = localhost
myorigin = localhost
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# Deliver nowhere but to the test Dovecot; anything else bounces at once.
mydestination =
relayhost =
default_transport = error:test instance delivers to localhost only
relay_transport = error:test instance delivers to localhost only
virtual_mailbox_domains = localhost
virtual_transport = lmtp:inet:{HOST}:{dovecot.port['lmtp']}
local_recipient_maps =
alias_maps =
alias_database =
smtpd_relay_restrictions = permit_sasl_authenticated reject_unauth_destination
relay_domains = sink.localhost
transport_maps = inline:{{ sink.localhost=discard: }}
smtpd_banner = $myhostname ESMTP correu-test-postfix
biff = no
smtputf8_enable = yes
smtpd_tls_cert_file = {peers.ca_file}
smtpd_tls_key_file = {peers.key_file}
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = {peers.dir}/dovecot/run/auth-postfix
smtpd_sasl_auth_enable = no
"""


def _postfix_master(port):
    rows = [
        f"{HOST}:{port['smtp']} inet n - n - - smtpd",
        f"{HOST}:{port['submission']} inet n - n - - smtpd",
        "  -o smtpd_tls_security_level=encrypt",
        "  -o smtpd_sasl_auth_enable=yes",
        "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject",
        f"{HOST}:{port['smtps']} inet n - n - - smtpd",
        "  -o smtpd_tls_wrappermode=yes",
        "  -o smtpd_sasl_auth_enable=yes",
        "  -o smtpd_client_restrictions=permit_sasl_authenticated,reject",
    ]
    # The daemons the master needs behind smtpd, none chrooted.
    for name, kind, priv, wake, limit, cmd in [
        ("pickup", "unix", "n", "60", "1", "pickup"), ("cleanup", "unix", "n", "-", "0", "cleanup"),
        ("qmgr", "unix", "n", "300", "1", "qmgr"), ("tlsmgr", "unix", "-", "1000?", "1", "tlsmgr"),
        ("rewrite", "unix", "-", "-", "-", "trivial-rewrite"), ("bounce", "unix", "-", "-", "0", "bounce"),
        ("defer", "unix", "-", "-", "0", "bounce"), ("trace", "unix", "-", "-", "0", "bounce"),
        ("verify", "unix", "-", "-", "1", "verify"), ("flush", "unix", "n", "1000?", "0", "flush"),
        ("proxymap", "unix", "-", "-", "-", "proxymap"), ("proxywrite", "unix", "-", "-", "1", "proxymap"),
        ("smtp", "unix", "-", "-", "-", "smtp"), ("relay", "unix", "-", "-", "-", "smtp"),
        ("showq", "unix", "n", "-", "-", "showq"), ("error", "unix", "-", "-", "-", "error"),
        ("retry", "unix", "-", "-", "-", "error"), ("discard", "unix", "-", "-", "-", "discard"),
        ("lmtp", "unix", "-", "-", "-", "lmtp"), ("anvil", "unix", "-", "-", "1", "anvil"),
        ("scache", "unix", "-", "-", "1", "scache"), ("postlog", "unix-dgram", "n", "-", "1", "postlogd"),
    ]:
        rows.append(f"{name} {kind} {priv} - n {wake} {limit} {cmd}")
    return "# Postfix services for correu's interop tests (peers.py).\n" + "\n".join(rows) + "\n"


# ---------------------------------------------------------------- command line

STARTERS = {"dovecot": Peers.dovecot, "smtp-sink": Peers.smtp_sink,
            "aiosmtpd": Peers.aiosmtpd, "postfix": Peers.postfix}


def skip_or_fail(fn):
    """Run fn(); Skip becomes exit status 77, PeerError status 1."""
    try:
        return fn()
    except Skip as e:
        print(f"SKIP: {e}", flush=True)
        sys.exit(SKIP_STATUS)
    except PeerError as e:
        print(f"FAIL: {e}", flush=True)
        sys.exit(1)


def _run(argv):
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print(__doc__, file=sys.stderr)
        return 2
    names, command = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    unknown = [n for n in names if n not in STARTERS]
    if unknown:
        print(f"peers.py: unknown peer {unknown[0]} (one of {', '.join(STARTERS)})",
              file=sys.stderr)
        return 2
    with Peers() as p:
        def start():
            for n in names:
                STARTERS[n](p)
        skip_or_fail(start)
        env = dict(os.environ, **p.environment())
        return subprocess.run(command, env=env).returncode


def main(argv):
    if len(argv) >= 1 and argv[0] == "run":
        return _run(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
