#!/usr/bin/env bash
# The README's demo, from a fresh clone on Debian 12 (as root): installs what
# is missing, builds correu, starts the example mail server on its default
# data directory (./maildata), sends a message through it over submission
# with STARTTLS and SCRAM authentication, shows the file delivered into the
# Maildir, downloads it again over POP3S, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh build
[ -f build/build.ninja ] || meson setup build -Dtests=disabled -Ddocs=disabled >/dev/null
ninja -C build >/dev/null

bin=build/examples
data=maildata
user=demo
export CORREU_PASSWORD=demo-password
mkdir -p "$data"

echo "== a user for the demo (the server makes one with a random password otherwise)"
printf '%s\n' "$CORREU_PASSWORD" | "$bin/correu-passwd" -f "$data/passwd" "$user"

echo "== starting correu-mailserver -d $data"
"$bin/correu-mailserver" -d "$data" >"$data/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do # up to 10 s
	grep -q 'port 1995' "$data/server.log" 2>/dev/null && break
	kill -0 "$server" 2>/dev/null || { cat "$data/server.log"; exit 1; }
	sleep 0.1
done
grep -E '^(listening|self-signed|created)' "$data/server.log"

echo "== sending a message: correu-send, port 2587, STARTTLS verified against the server's certificate"
before=$( (ls "$data/mail/$user/Maildir/new" 2>/dev/null || true) | wc -l)
"$bin/correu-send" -H localhost -p 2587 --ca-file "$data/selfsigned.pem" -u "$user" \
	-f "$user@localhost" "$user@localhost" <<MSG
From: Demo <$user@localhost>
To: Demo <$user@localhost>
Subject: Hello from correu
Date: $(date -R)

This message went through correu's SMTP client and server.
MSG
after=$(ls "$data/mail/$user/Maildir/new" | wc -l)
[ "$after" -gt "$before" ] || { echo "no message was delivered"; cat "$data/server.log"; exit 1; }
file=$(ls -t "$data/mail/$user/Maildir/new" | head -n 1)
echo "== delivered: $data/mail/$user/Maildir/new/$file"
cat "$data/mail/$user/Maildir/new/$file"

echo "== downloading it over POP3S (port 1995) into $data/fetched, keeping it on the server"
"$bin/correu-fetch" -H localhost -p 1995 --ca-file "$data/selfsigned.pem" -u "$user" --keep \
	"$data/fetched"
ls -l "$data/fetched/new" | tail -n +2

echo "== stopping the server"
kill -TERM "$server"
wait "$server" || true
trap - EXIT
echo "ok"
