#!/usr/bin/env bash
# SMTP and LMTP server benchmark (bench/): correu-mailserver against the
# peers tests/interop/peers.py starts on 127.0.0.1, all in one run, rounds
# interleaved so that load on the machine hits both sides alike; the
# median of each side and correu's ratio are printed.
#
#   (a) smtp-source -s 10 -m 2000 -l 1000 -d: correu --discard (accepts and
#       drops everything) against Postfix's smtp-sink. Goal: >= 1.0.
#   (b) smtp-source -L -s 4 -m 1000 -l 1000: correu's LMTP into a Maildir
#       (written, fsynced, renamed, directory fsynced) against Dovecot's
#       LMTP into a Maildir. Goal: >= 1.5.
#   (c) resident memory per idle connection: IDLE connections that got the
#       greeting (bench/smtp_server_idle.py) on correu's SMTP port (no TLS),
#       and for reference SINK_IDLE on smtp-sink's (which stops accepting
#       at about twice its backlog of 256). Goal: <= 16 KiB for correu.
#
#   bash bench/smtp_server.sh          # REPS=3 IDLE=1000
#   REPS=5 bash bench/smtp_server.sh
#   PARTS=b bash bench/smtp_server.sh  # only the LMTP part (any of a, b, c)
#
# BUILD names the meson build directory (default build-bench, made as a
# release build if missing). Needs smtp-source/smtp-sink (postfix) and
# dovecot: bash .ci/deps.sh test.
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=${REPS:-3} IDLE=${IDLE:-1000} SINK_IDLE=${SINK_IDLE:-250} PARTS=${PARTS:-abc}
BUILD=${BUILD:-build-bench}
PY=/usr/bin/python3

# Start smtp-sink and Dovecot through peers.py, which runs this script
# again inside with PEER_* variables.
if [ -z "${PEER_SMTP_SINK_SMTP_PORT:-}" ]; then
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" --buildtype=release >/dev/null
	fi
	ninja -C "$BUILD" examples/correu-mailserver >/dev/null
	exec "$PY" tests/interop/peers.py run smtp-sink dovecot -- bash "$0" "$@"
fi

SOURCE=$(PATH=$PATH:/usr/sbin command -v smtp-source)
SERVER=$BUILD/examples/correu-mailserver
T=$(mktemp -d /tmp/correu-bench-XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT

# start NAME ARGS...: correu-mailserver -q on free ports with its own data
# directory; sets PID and BASE (SMTP port; LMTP is BASE-101).
start() {
	local name=$1
	shift
	for _ in $(seq 20); do
		BASE=$((20000 + RANDOM % 30000))
		# 1000 idle clients need more descriptors than the usual 1024.
		(ulimit -n 4096 && exec "$SERVER" -q -d "$T/$name" -p "$BASE" "$@") \
			>"$T/$name.out" 2>"$T/$name.err" &
		PID=$!
		for _ in $(seq 100); do
			grep -q 'lmtp.sock (LMTP)' "$T/$name.out" 2>/dev/null && break
			kill -0 "$PID" 2>/dev/null || break
			sleep 0.1
		done
		if grep -q 'lmtp.sock (LMTP)' "$T/$name.out"; then
			PIDS+=("$PID")
			return 0
		fi
		kill "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	done
	cat "$T/$name.err" >&2
	echo "correu-mailserver $name did not start" >&2
	exit 1
}

# rate COUNT ARGS...: run smtp-source with ARGS; print COUNT/seconds.
rate() {
	local count=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	timeout 300 "$SOURCE" "$@" >/dev/null || { echo "smtp-source $* failed" >&2; exit 1; }
	t1=$(date +%s.%N)
	awk -v n="$count" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f\n", n / (b - a)}'
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

start discard --discard --max-messages 1000
DISCARD_PORT=$BASE
start maildir --max-messages 1000
MAILDIR_PID=$PID MAILDIR_LMTP=$((BASE - 101)) MAILDIR_PORT=$BASE

echo "== $(date -u +%FT%TZ) $(nproc) CPUs, $REPS rounds, smtp-source from $(dpkg-query -W -f '${Version}' postfix 2>/dev/null || echo postfix)"

# race COUNT PEER_NAME PEER_RCPT PEER_HOST CORREU_NAME CORREU_RCPT CORREU_HOST
#      ARGS...: REPS interleaved rounds of smtp-source ARGS against the peer
# and correu; prints both medians and correu's ratio.
race() {
	local count=$1 pn=$2 pr=$3 ph=$4 cn=$5 cr=$6 ch=$7 peer="" correu="" r
	shift 7
	for ((r = 1; r <= REPS; r++)); do
		peer+="$(rate "$count" "$@" -t "$pr" "$ph") "
		correu+="$(rate "$count" "$@" -t "$cr" "$ch") "
	done
	printf '    %-16s %5d msg/s  (runs: %s)\n' "$pn" "$(median "$peer")" "$peer"
	printf '    %-16s %5d msg/s  (runs: %s)\n' "$cn" "$(median "$correu")" "$correu"
	echo "    ratio $(ratio "$(median "$correu")" "$(median "$peer")")"
}

A=(-s 10 -m 2000 -l 1000 -d -M localhost -f bench@localhost)
if [[ $PARTS == *a* ]]; then
echo "(a) smtp-source ${A[*]}; goal >= 1.0"
race 2000 smtp-sink sink@localhost "127.0.0.1:$PEER_SMTP_SINK_SMTP_PORT" \
	"correu --discard" sink@localhost "127.0.0.1:$DISCARD_PORT" "${A[@]}"
fi

B=(-L -s 4 -m 1000 -l 1000 -M localhost -f bench@localhost)
if [[ $PARTS == *b* ]]; then
echo "(b) smtp-source ${B[*]}, into a Maildir with fsync; goal >= 1.5"
race 1000 "Dovecot LMTP" bob@localhost "127.0.0.1:$PEER_DOVECOT_LMTP_PORT" \
	"correu LMTP" user@localhost "127.0.0.1:$MAILDIR_LMTP" "${B[@]}"
n=$(find "$T/maildir/mail/user/Maildir/new" -type f | wc -l)
[ "$n" = $((REPS * 1000)) ] || { echo "correu stored $n messages, not $((REPS * 1000))" >&2; exit 1; }
echo "    ($n files in correu's Maildir)"
fi

if [[ $PARTS == *c* ]]; then
echo "(c) resident memory per idle connection that got the greeting; goal <= 16384 bytes for correu"
idle() {
	local out
	if out=$("$PY" bench/smtp_server_idle.py "$@" 2>&1); then
		awk '{printf "    %-16s %6d bytes per connection  (%d connections, VmRSS %d KiB -> %d KiB)\n", $2, $6, $3, $4, $5}' \
			<<<"$out"
	else
		echo "    $1: not measured ($out)"
	fi
}
idle correu "$MAILDIR_PID" "$MAILDIR_PORT" "$IDLE"
idle smtp-sink "$PEER_SMTP_SINK_PID" "$PEER_SMTP_SINK_SMTP_PORT" "$SINK_IDLE"
fi
echo "commands: $SOURCE ${A[*]} -t sink@localhost HOST:PORT"
echo "          $SOURCE ${B[*]} -t USER@localhost HOST:PORT"
echo "          $PY bench/smtp_server_idle.py NAME PID PORT COUNT"
