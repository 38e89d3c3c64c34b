"""Interop client for tests/interop/smtp_server.sh: Python's smtplib (and
swaks, when installed) against correu-mailserver. Argument: the data
directory, the first user's password and the three ports. Exits non-zero
with a message on the first mismatch."""
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys

data, password, mx, sub, smtps = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
ctx = ssl.create_default_context(cafile=os.path.join(data, 'selfsigned.pem'))


def check(cond, what):
    if not cond:
        sys.exit('FAIL: ' + what)


# An MX delivery in plain text, with a dot-stuffed line.
s = smtplib.SMTP('localhost', mx, local_hostname='client.example')
code, caps = s.ehlo()
check(code == 250 and b'CHUNKING' in caps and b'AUTH' not in caps, 'MX EHLO %r' % caps)
refused = s.sendmail('alice@example.net', ['user@localhost', 'nobody@localhost'],
                     b'Subject: mx\r\n\r\n.starts with a dot\r\n')
check(list(refused) == ['nobody@localhost'], 'MX refusals %r' % refused)
s.quit()

# Submission: STARTTLS, then AUTH (PLAIN and LOGIN), then mail.
for mech in ('PLAIN', 'LOGIN'):
    s = smtplib.SMTP('localhost', sub, local_hostname='client.example')
    s.ehlo()
    check(s.mail('user@localhost')[0] == 530, 'MAIL before AUTH on submission')
    s.starttls(context=ctx)
    s.ehlo()
    check('auth' in s.esmtp_features, 'no AUTH after STARTTLS')
    s.user, s.password = 'user', password
    code, _ = s.auth(mech, getattr(s, 'auth_' + mech.lower()))
    check(code == 235, mech)
    s.sendmail('user@localhost', ['user@localhost'], b'Subject: sub %s\r\n\r\nx\r\n' % mech.encode())
    s.quit()

# Implicit TLS, a wrong password, then the right one.
s = smtplib.SMTP_SSL('localhost', smtps, local_hostname='client.example', context=ctx)
try:
    s.login('user', 'wrong')
    check(False, 'a wrong password was accepted')
except smtplib.SMTPAuthenticationError as e:
    check(e.smtp_code == 535, 'wrong password: %r' % e)
s.quit()
s = smtplib.SMTP_SSL('localhost', smtps, local_hostname='client.example', context=ctx)
s.login('user', password)
s.sendmail('user@localhost', ['user@localhost'], b'Subject: smtps\r\n\r\nx\r\n')
s.quit()

# A smuggling attempt in plain sockets: one message, refused, no extra one.
with socket.create_connection(('127.0.0.1', mx)) as c:
    f = c.makefile('rb')
    f.readline()
    c.sendall(b'EHLO c.example\r\n')
    while f.readline()[3:4] == b'-':
        pass
    c.sendall(b'MAIL FROM:<a@example.net>\r\nRCPT TO:<user@localhost>\r\nDATA\r\n')
    replies = [f.readline() for _ in range(3)]
    check(replies[2].startswith(b'354'), 'DATA %r' % replies)
    c.sendall(b'x\n.\nMAIL FROM:<e@example.net>\r\nRCPT TO:<user@localhost>\r\n'
              b'DATA\r\nsmuggled\r\n.\r\nQUIT\r\n')
    end = f.readline()
    check(end.startswith(b'550 5.6.0'), 'smuggled message %r' % end)
    check(f.readline().startswith(b'221'), 'QUIT after the smuggling attempt')

# swaks with PIPELINING and CHUNKING, when it is installed.
swaks = shutil.which('swaks')
if swaks:
    out = subprocess.run([swaks, '--server', '127.0.0.1', '--port', str(mx), '--pipeline',
                          '--from', 'a@example.net', '--to', 'user@localhost',
                          '--helo', 'swaks.example', '--body', 'via swaks'],
                         capture_output=True, text=True, timeout=30)
    check(out.returncode == 0 and '250 2.0.0' in out.stdout, 'swaks: ' + out.stdout[-500:])
print('ok swaks' if swaks else 'ok (swaks not installed)')
