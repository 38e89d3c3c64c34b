#!/usr/bin/env bash
# Interop test of the Maildir store with a real Dovecot (store layer).
#   dovecot_maildir.sh MAILDIR_TOOL DOVECOT_CLIENT_PY
# Starts a private Dovecot (IMAP + LMTP, plain, 127.0.0.1 only, free ports,
# every file in a temporary directory) and checks both directions:
#   - mail Dovecot delivers (LMTP) and flags (IMAP STORE) is read by correu's
#     store with Dovecot's UIDVALIDITY, UIDs, flags and keywords;
#   - mail correu delivers and flags is served by Dovecot IMAP with correu's
#     UIDs, flags and keywords; folders and subscriptions cross over too.
# Exits 77 (skipped) when Dovecot is not installed. Waits are bounded; the
# Dovecot started here is stopped by its pid, never by name.
set -euo pipefail

TOOL=$1
CLIENT=$2
PY=/usr/bin/python3
DOVECOT=/usr/sbin/dovecot

if [ ! -x "$DOVECOT" ]; then
  echo "SKIP: $DOVECOT is not installed (apt-get install dovecot-imapd dovecot-lmtpd)"
  exit 77
fi
[ -x "$PY" ] || { echo "SKIP: $PY is needed for the IMAP client"; exit 77; }

T=$(mktemp -d /tmp/correu-iop-XXXXXX)
chmod 755 "$T"
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$T"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  echo "--- dovecot log:"; tail -n 30 "$T/dovecot.log" 2>/dev/null || true
  exit 1
}

# As root, Dovecot runs the mail side as an unprivileged user (nobody), and
# so does our tool; otherwise everything runs as the calling user.
if [ "$(id -u)" = 0 ]; then
  MUID=65534 MGID=65534
  MUSER=$(getent passwd 65534 | cut -d: -f1)
  as_mail() { setpriv --reuid=$MUID --regid=$MGID --clear-groups -- "$@"; }
  EXTRA=""
else
  MUID=$(id -u) MGID=$(id -g) MUSER=$(id -un)
  as_mail() { "$@"; }
  EXTRA="default_internal_user = $MUSER
default_login_user = $MUSER
default_internal_group = $(id -gn)
service imap-login {
  chroot =
}
service anvil {
  chroot =
}"
fi

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
IMAP_PORT=$(free_port)
LMTP_PORT=$(free_port)
HOME_DIR=$T/home/alice
MAILDIR=$HOME_DIR/Maildir
mkdir -p "$HOME_DIR" "$T/run" "$T/state"
chown "$MUID:$MGID" "$HOME_DIR"

echo "alice:{PLAIN}secret:$MUID:$MGID::$HOME_DIR::" > "$T/users"
cat > "$T/dovecot.conf" <<CONF
base_dir = $T/run
state_dir = $T/state
log_path = $T/dovecot.log
instance_name = correu-interop-$$
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
passdb {
  driver = static
  args = noauthenticate nodelay=yes
  result_success = continue
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $T/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $T/users
}
# Dovecot's defaults for Maildir: LAYOUT=maildir++, separator ".".
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = .
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
protocol lmtp {
  postmaster_address = postmaster@localhost
}
$EXTRA
CONF

# The master keeps the stderr it starts with: give it a file, not our pipe.
"$DOVECOT" -c "$T/dovecot.conf" < /dev/null > "$T/start.log" 2>&1 || {
  cat "$T/start.log"; fail "dovecot did not start"; }
for _ in $(seq 1 100); do [ -s "$T/run/master.pid" ] && break; sleep 0.05; done
PID=$(cat "$T/run/master.pid" 2>/dev/null) || fail "no master.pid"
for port in "$IMAP_PORT" "$LMTP_PORT"; do
  ok=0
  for _ in $(seq 1 100); do
    if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then ok=1; break; fi
    sleep 0.05
  done
  [ $ok = 1 ] || fail "port $port did not open"
done

client() { timeout 30 "$PY" "$CLIENT" "$@"; }
tool() { as_mail timeout 30 "$TOOL" "$MAILDIR" "$@"; }

# ---- Dovecot writes, correu reads --------------------------------------
client lmtp "$LMTP_PORT" alice@localhost 3 || fail "LMTP delivery"
client store "$IMAP_PORT" alice secret INBOX 2 '\Seen' '$Junk' || fail "STORE"
client store "$IMAP_PORT" alice secret INBOX 3 '\Flagged' '$NonJunk' '$Junk' || fail "STORE"
DOV=$(client state "$IMAP_PORT" alice secret INBOX) || fail "IMAP state"
OURS=$(tool list INBOX) || fail "correu list"
echo "dovecot: $DOV" | tr '\n' ';'; echo
echo "correu:  $OURS" | tr '\n' ';'; echo
[ "$(echo "$DOV" | head -1)" = "$(echo "$OURS" | head -1)" ] || fail "UIDVALIDITY differs"
[ "$(echo "$DOV" | sed 1d | cut -d' ' -f1)" = "$(echo "$OURS" | sed 1d | cut -d' ' -f1)" ] ||
  fail "UIDs differ"
echo "$OURS" | grep -qx '2 \\Seen $Junk [0-9]*' || fail "flags/keyword of UID 2 not seen by correu"
echo "$OURS" | grep -qx '3 \\Flagged $Junk,$NonJunk [0-9]*' || fail "UID 3 keywords not seen by correu"

# ---- correu writes, Dovecot reads --------------------------------------
printf 'From: correu@localhost\r\nSubject: from correu 1\r\n\r\nhello\r\n' > "$T/m1"
printf 'From: correu@localhost\r\nSubject: from correu 2\r\n\r\nhello again\r\n' > "$T/m2"
chmod 644 "$T/m1" "$T/m2"
U1=$(tool deliver INBOX "$T/m1") || fail "correu deliver"
U2=$(tool deliver INBOX "$T/m2") || fail "correu deliver"
[ "$U1" = 4 ] && [ "$U2" = 5 ] || fail "correu gave UIDs $U1 $U2, expected 4 5"
tool flag INBOX 4 '$Label1' || fail "correu flag"
DOV=$(client state "$IMAP_PORT" alice secret INBOX) || fail "IMAP state"
echo "dovecot: $DOV" | tr '\n' ';'; echo
echo "$DOV" | grep -qx '4 $Label1,\\Answered from correu 1' || fail "Dovecot does not serve UID 4 as correu stored it"
echo "$DOV" | grep -qx '5 - from correu 2' || fail "Dovecot does not serve UID 5"
[ "$(echo "$DOV" | head -1)" = "$(echo "$OURS" | head -1)" ] || fail "UIDVALIDITY changed"

# ---- a folder correu creates: its UIDVALIDITY is correu's -----------------
tool mkdir "Entwürfe" || fail "correu mkdir"
[ "$(tool deliver "Entwürfe" "$T/m2")" = 1 ] || fail "correu deliver into a new folder"
OURS=$(tool list "Entwürfe") || fail "correu list"
DOV=$(client state "$IMAP_PORT" alice secret 'Entw&APw-rfe') || fail "IMAP state"
echo "dovecot: $DOV" | tr '\n' ';'; echo
[ "$(echo "$DOV" | head -1)" = "$(echo "$OURS" | head -1)" ] || fail "Dovecot changed correu's UIDVALIDITY"
[ "$(echo "$DOV" | sed 1d)" = "1 - from correu 2" ] || fail "Dovecot does not serve correu's UID 1"

# ---- folders and subscriptions ------------------------------------------
FOLDERS=$(client folders "$IMAP_PORT" alice secret) || fail "IMAP LIST"
echo "$FOLDERS" | grep -qx 'Entw&APw-rfe' || fail "Dovecot does not list correu's folder: $FOLDERS"
client subscribe "$IMAP_PORT" alice secret 'Entw&APw-rfe' || fail "SUBSCRIBE"
SUBS=$(tool subscriptions) || fail "correu subscriptions"
echo "$SUBS" | grep -qx 'Entwürfe' || fail "correu does not read Dovecot's subscription: $SUBS"

echo "PASS: Dovecot and correu share UIDs, flags, keywords, folders and subscriptions"
