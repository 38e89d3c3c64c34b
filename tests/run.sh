#!/usr/bin/env bash
# The whole correu test suite, from a fresh clone on Debian 12 (as root):
# installs what is missing, builds with warnings as errors, runs the unit,
# transcript, ABI, Python, docs and fuzz-replay tests, the same suite again
# under ASan+UBSan, a bounded libFuzzer run of every harness and the Cortex-M4
# firmware build. Ends with "N passed, N failed" and exits non-zero on any
# failure.
#   FUZZ_SECONDS=N   seconds per fuzz harness (default 10; 0 skips fuzzing)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
fuzz_seconds=${FUZZ_SECONDS:-10}
passed=0
failed=0
failures=()

step() { printf '\n==== %s\n' "$*"; }
record() { # name rc
	if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else
		failed=$((failed + 1)); failures+=("$1"); fi
}

# meson test, then add its per-test results to the totals.
meson_suite() { # label builddir
	local label=$1 dir=$2 rc p f
	meson test -C "$dir" --print-errorlogs --num-processes 2 >"$dir/test.out" 2>&1
	rc=$?
	tail -n 12 "$dir/test.out"
	p=$(grep -cE '"result": "(OK|EXPECTEDFAIL)"' "$dir/meson-logs/testlog.json" 2>/dev/null || true)
	f=$(grep -cE '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$dir/meson-logs/testlog.json" 2>/dev/null || true)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ]; then
		grep -E '^ *[0-9]+/[0-9]+ .*(FAIL|TIMEOUT|ERROR)' "$dir/test.out" || true
		[ "${f:-0}" -gt 0 ] || failed=$((failed + 1))
		failures+=("$label")
	fi
}

build() { # label builddir [meson options...]
	local label=$1 dir=$2
	shift 2
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$root/$dir.setup.log" 2>&1 || {
			cat "$root/$dir.setup.log"; return 1; }
	else
		meson configure "$dir" "$@" >/dev/null || return 1
	fi
	ninja -C "$dir" >"$root/$dir.build.log" 2>&1 || {
		grep -E 'error|warning|FAILED' "$root/$dir.build.log" | head -n 40; return 1; }
}

step "dependencies"
bash .ci/deps.sh test || { echo "cannot install dependencies"; exit 1; }

step "build (-Werror) and test"
if build build build-ci -Dwerror=true -Dtests=enabled; then
	meson_suite "tests" build-ci
else
	record "build" 1
fi

step "ASan+UBSan build and test"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
if build asan build-ci-asan -Dwerror=true -Dtests=enabled -Ddocs=disabled \
	-Db_sanitize=address,undefined -Db_lundef=false; then
	meson_suite "sanitizer tests" build-ci-asan
else
	record "asan build" 1
fi

if [ "$fuzz_seconds" -gt 0 ]; then
	step "libFuzzer smoke run (${fuzz_seconds}s per harness)"
	if CC=clang build fuzz build-ci-fuzz -Dwerror=false -Dtests=enabled -Ddocs=disabled \
		-Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link; then
		for bin in build-ci-fuzz/fuzz/fuzz_*; do
			[ -f "$bin" ] && [ -x "$bin" ] || continue
			name=${bin##*/fuzz_}
			work=$(mktemp -d)
			# New inputs go to a scratch dir; the checked-in corpus is only read.
			if "$bin" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
				-print_final_stats=0 "$work" "fuzz/corpus/$name" >"$work.log" 2>&1; then
				echo "fuzz $name: ok ($(grep -Eo '#[0-9]+' "$work.log" | tail -n 1 | tr -d '#') runs)"
				record "fuzz $name" 0
			else
				echo "fuzz $name: FAILED"; tail -n 40 "$work.log"
				record "fuzz $name" 1
			fi
			rm -rf "$work" "$work.log"
		done
	else
		record "fuzz build" 1
	fi
fi

step "Cortex-M4 firmware build"
if [ -f .ci/firmware.sh ]; then
	bash .ci/firmware.sh
	record "firmware" $?
	# The SMTP client's sans-I/O core without TLS, as a mail-sending
	# appliance would carry it, with the SASL exchange it shares with the
	# other clients (proto without the blocking sessions' plumbing). It
	# prints the archive sums and the core linked into a firmware image;
	# the goal (<= 16 KiB) applies to the linked smtp+proto+codec line.
	if [ -f lib/smtp/client.c ]; then
		bash .ci/firmware.sh common codec 'sasl:-crypto.c:-cram_md5.c:-scram*' \
			'proto:-session*' 'smtp:-session*:-server_*'
		record "firmware smtp client" $?
	fi
fi

step "summary"
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
