#!/usr/bin/env bash
# Interop test of the SMTP server core (SMTP layer) through the
# correu-mailserver example: Python's smtplib and swaks deliver over plain
# SMTP, submission with STARTTLS and AUTH, and implicit TLS; a smuggling
# attempt must stay one refused message; every accepted message must be in
# the user's Maildir with its Received: header; SIGTERM must stop the
# server with status 0.
#   smtp_server.sh CORREU_MAILSERVER CLIENT_PY
# Exits 77 (skipped) without python3.
set -euo pipefail

SERVER=$(realpath "$1")
CLIENT=$(realpath "$2")
PY=$(command -v python3 || true)
[ -n "$PY" ] || { echo "SKIP: python3 is needed for smtplib"; exit 77; }

T=$(mktemp -d)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT

# Free ports from a range above the example's defaults.
BASE=$((20000 + RANDOM % 20000))
cd "$T"
"$SERVER" -d "$T/data" -p "$BASE" > out.log 2> err.log &
PID=$!
for _ in $(seq 50); do
  [ "$(grep -c listening out.log || true)" -ge 5 ] && break # SMTP x3, POP3 x2
  sleep 0.1
done
grep -q "implicit TLS" out.log || { cat out.log err.log; echo "FAIL: server did not start"; exit 1; }
PW=$(sed -n 's/.*password "\([^"]*\)".*/\1/p' out.log)
[ -n "$PW" ] || { echo "FAIL: no first user printed"; exit 1; }

"$PY" "$CLIENT" "$T/data" "$PW" "$BASE" $((BASE + 62)) $((BASE - 60)) || {
  tail -n 30 err.log; exit 1; }

NEW="$T/data/mail/user/Maildir/new"
n=$(ls "$NEW" | wc -l)
want=4
command -v swaks >/dev/null && want=5
[ "$n" = "$want" ] || { ls -l "$NEW"; echo "FAIL: $n messages, expected $want"; exit 1; }
grep -l "^Received: from client.example (\[127.0.0.1\])" "$NEW"/* >/dev/null ||
  { echo "FAIL: no Received: header"; exit 1; }
grep -q "smuggled" "$NEW"/* && { echo "FAIL: the smuggled message was stored"; exit 1; }
grep -l "^\.starts with a dot" "$NEW"/* >/dev/null || { echo "FAIL: dot-stuffing"; exit 1; }
[ -z "$(ls "$T/data/mail/user/Maildir/tmp")" ] || { echo "FAIL: files left in tmp/"; exit 1; }

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[ "$rc" = 0 ] || { tail -n 20 err.log; echo "FAIL: exit status $rc after SIGTERM"; exit 1; }
echo "ok: $n messages delivered, clean shutdown"
