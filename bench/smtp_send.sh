#!/usr/bin/env bash
# SMTP sending benchmark (bench/): correu's blocking session against
# libESMTP, libcurl and Python's smtplib, all sending the same 4 KiB message
# COUNT times over one connection to Postfix's smtp-sink on 127.0.0.1 (which
# tests/interop/peers.py starts and stops). Rounds are interleaved so that
# load on the machine hits every client alike; the median of each is
# printed with correu's ratio to it. Then correu streams one BIG message
# and reports its peak heap, from a counting allocator handed to the
# session: with the default output limit and with MAX_OUTPUT bytes.
#
#   bash bench/smtp_send.sh            # COUNT=5000 SIZE=4096 REPS=3 BIG=100 MiB
#   COUNT=1000 REPS=5 bash bench/smtp_send.sh
#
# BUILD names the meson build directory (default build-bench, made as a
# release build if missing). Needs smtp-sink (postfix), libesmtp-dev and
# libcurl4-gnutls-dev: bash .ci/deps.sh test.
#
# libESMTP leaves Nagle's algorithm on: the short tail of every message
# then waits for smtp-sink's delayed ACK (~40 ms), so as shipped it sends
# about 20 messages a second here (measured on ESMTP_SLOW_COUNT messages).
# It is also measured with TCP_NODELAY forced by bench/nodelay_preload.c,
# and correu is compared with that faster figure.
#
# "floor" (bench/bench_smtp_send_floor.c) is no client but the least any
# client must do against this server: precomputed bytes, one send() and one
# recv() per message. Its rate bounds every client's in the same run, so
# correu/floor says how much of the possible correu reaches and
# floor/libcurl is the highest ratio to libcurl any client could show.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-5000} SIZE=${SIZE:-4096} REPS=${REPS:-3}
BIG=${BIG:-104857600} MAX_OUTPUT=${MAX_OUTPUT:-16384} ESMTP_SLOW_COUNT=${ESMTP_SLOW_COUNT:-100}
BUILD=${BUILD:-build-bench}
PY=/usr/bin/python3

# Start smtp-sink through peers.py, which runs this script again inside.
if [ -z "${PEER_SMTP_SINK_SMTP_PORT:-}" ]; then
	if [ ! -f "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" --buildtype=release >/dev/null
	fi
	ninja -C "$BUILD" bench/bench_smtp_send bench/bench_smtp_send_floor \
		bench/bench_smtp_send_esmtp bench/bench_smtp_send_curl \
		bench/libnodelay_preload.so >/dev/null
	exec "$PY" tests/interop/peers.py run smtp-sink -- bash "$0" "$@"
fi

host=127.0.0.1 port=$PEER_SMTP_SINK_SMTP_PORT b=$BUILD/bench
declare -A runs=()
heap_many=

# run NAME COMMAND...: one timed run; its "rate NAME N SECONDS MSG/S" line
# adds MSG/S to runs[NAME].
run() {
	local name=$1 out
	shift
	out=$(timeout 600 "$@") || { echo "$name failed" >&2; exit 1; }
	runs[$name]+="$(awk '$1 == "rate" {print $5}' <<<"$out") "
	[ "$name" = correu ] && heap_many=$(awk '$2 == "correu-many" {sub("peak=", "", $3); print $3}' <<<"$out")
	return 0
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "== $(date -u +%FT%TZ) $(nproc) CPUs: $COUNT messages of $SIZE bytes, one connection, $REPS rounds"
for ((r = 1; r <= REPS; r++)); do
	run correu "$b/bench_smtp_send" $host "$port" "$COUNT" "$SIZE" 1000
	run libesmtp env LD_PRELOAD="$PWD/$b/libnodelay_preload.so" \
		"$b/bench_smtp_send_esmtp" $host "$port" "$COUNT" "$SIZE"
	run libcurl "$b/bench_smtp_send_curl" $host "$port" "$COUNT" "$SIZE"
	run smtplib "$PY" bench/bench_smtp_send.py $host "$port" "$COUNT" "$SIZE"
	run floor "$b/bench_smtp_send_floor" $host "$port" "$COUNT" "$SIZE"
done
run libesmtp-nagle "$b/bench_smtp_send_esmtp" $host "$port" "$ESMTP_SLOW_COUNT" "$SIZE"

c=$(median "${runs[correu]}")
printf '%-28s %8s msg/s  (runs: %s)\n' "correu" "$c" "${runs[correu]% }"
for n in libesmtp libcurl smtplib libesmtp-nagle; do
	m=$(median "${runs[$n]}")
	label=$n
	[ "$n" = libesmtp ] && label="libesmtp (TCP_NODELAY)"
	[ "$n" = libesmtp-nagle ] && label="libesmtp (as shipped)"
	printf '%-28s %8s msg/s  (runs: %s)  correu/%s = %s\n' "$label" "$m" "${runs[$n]% }" "$n" \
		"$(awk -v a="$c" -v b="$m" 'BEGIN {printf "%.2f", a / b}')"
done
f=$(median "${runs[floor]}") l=$(median "${runs[libcurl]}")
printf '%-28s %8s msg/s  (runs: %s)  correu/floor = %s, floor/libcurl = %s\n' "floor (no client)" "$f" \
	"${runs[floor]% }" "$(awk -v a="$c" -v b="$f" 'BEGIN {printf "%.2f", a / b}')" \
	"$(awk -v a="$f" -v b="$l" 'BEGIN {printf "%.2f", a / b}')"
echo "goals: correu/libesmtp >= 1.0, correu/libcurl >= 3.0 (no client can pass floor/libcurl)"
echo "correu heap peak while sending $COUNT messages: $heap_many bytes"

echo "-- one message of $BIG bytes, streamed by correu"
for mo in 0 "$MAX_OUTPUT"; do
	out=$(timeout 600 "$b/bench_smtp_send" $host "$port" 1 "$SIZE" "$BIG" "$mo")
	awk -v mo="$mo" '
		$1 == "big" {rate = $5; secs = $4}
		$1 == "heap" && $2 == "correu-big" {sub("peak=", "", $3); peak = $3}
		END {printf "max_output=%-7s peak heap %6d bytes (%.1f KiB)  %.1f MB/s in %.2f s\n",
		     mo == 0 ? "default" : mo, peak, peak / 1024, rate, secs}' <<<"$out"
done
echo "goal: peak heap <= 65536 bytes"
