#!/usr/bin/env bash
# Interop test of the Maildir store with a real Dovecot (store layer).
#   dovecot_maildir.sh MAILDIR_TOOL DOVECOT_CLIENT_PY
# Runs inside a private Dovecot (IMAP + LMTP, 127.0.0.1 only, free ports,
# every file in a temporary directory) that tests/interop/peers.py starts
# and stops, and checks both directions:
#   - mail Dovecot delivers (LMTP) and flags (IMAP STORE) is read by correu's
#     store with Dovecot's UIDVALIDITY, UIDs, flags and keywords;
#   - mail correu delivers and flags is served by Dovecot IMAP with correu's
#     UIDs, flags and keywords; folders and subscriptions cross over too.
# Exits 77 (skipped) when Dovecot is not installed.
set -euo pipefail

TOOL=$1
CLIENT=$2
PY=/usr/bin/python3

[ -x "$PY" ] || { echo "SKIP: $PY is needed for the IMAP client"; exit 77; }
# Start Dovecot (its INBOX namespace with Dovecot's Maildir++ separator "."),
# then run this script again inside, with PEER_* describing it.
if [ -z "${PEER_DOVECOT_IMAP_PORT:-}" ]; then
  exec "$PY" "$(dirname "$0")/peers.py" run dovecot -- bash "$0" "$@"
fi

T=$PEER_DIR
fail() {
  echo "FAIL: $*"
  echo "--- dovecot log:"; tail -n 30 "$PEER_DOVECOT_LOG" 2>/dev/null || true
  exit 1
}

# As root, Dovecot stores mail as nobody, and so must our tool; otherwise
# everything runs as the calling user (peers.py does the same).
if [ "$(id -u)" = 0 ]; then
  as_mail() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
else
  as_mail() { "$@"; }
fi

IMAP_PORT=$PEER_DOVECOT_IMAP_PORT
LMTP_PORT=$PEER_DOVECOT_LMTP_PORT
MAILDIR=$PEER_MAIL_DIR/alice/Maildir

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

# ---- correu's LMTP delivery (commit workers, no UID until read) ----------
# Dovecot reads first and numbers the new files; correu must agree. Then
# correu reads first; Dovecot must agree.
printf 'From: correu@localhost\r\nSubject: lmtp %s\r\n\r\nbody\r\n' a > "$T/l1"
printf 'From: correu@localhost\r\nSubject: lmtp %s\r\n\r\nbody\r\n' b > "$T/l2"
printf 'From: correu@localhost\r\nSubject: lmtp %s\r\n\r\nbody\r\n' c > "$T/l3"
chmod 644 "$T/l1" "$T/l2" "$T/l3"
lmtp() { tool lmtp "$PEER_MAIL_DIR/%u/Maildir" alice "$@"; }
[ "$(lmtp "$T/l1" "$T/l2" | tr '\n' ' ')" = "250 250 " ] || fail "correu LMTP delivery"
DOV=$(client state "$IMAP_PORT" alice secret INBOX) || fail "IMAP state"
OURS=$(tool list INBOX) || fail "correu list"
echo "dovecot: $DOV" | tr '\n' ';'; echo
[ "$(echo "$DOV" | sed 1d | cut -d' ' -f1 | tr '\n' ' ')" = "1 2 3 4 5 6 7 " ] ||
  fail "Dovecot did not number correu's LMTP deliveries 6 and 7"
[ "$(echo "$DOV" | sed 1d | cut -d' ' -f1)" = "$(echo "$OURS" | sed 1d | cut -d' ' -f1)" ] ||
  fail "UIDs differ after Dovecot numbered correu's deliveries"
[ "$(lmtp "$T/l3")" = 250 ] || fail "correu LMTP delivery"
OURS=$(tool list INBOX) || fail "correu list"
DOV=$(client state "$IMAP_PORT" alice secret INBOX) || fail "IMAP state"
echo "$DOV" | grep -qx '8 - lmtp c' || fail "Dovecot does not serve correu's UID 8: $DOV"
[ "$(echo "$DOV" | sed 1d | cut -d' ' -f1)" = "$(echo "$OURS" | sed 1d | cut -d' ' -f1)" ] ||
  fail "UIDs differ after correu numbered its delivery"

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
