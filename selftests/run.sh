#!/bin/bash
# In-VM selftest runner (started by `make check` through tools/vm/run.sh).
#
# usage: selftests/run.sh [RESULTS_DIR]
# Loads ../sysvipc.ko, runs every out/native/X then out/lib/X (each under a
# timeout), prints their TAP output indented, and compares them case by case:
#   passed  = ok in both modes, or ok in lib mode and SKIP in native mode
#             (library-only ABI cases skip natively on purpose)
#   skipped = SKIP in both modes, or SKIP in lib mode and ok natively (noted)
#   failed  = not ok in either mode, or missing from one run
#   a binary that crashes, times out or stops short of its plan counts as one
#   extra failure; so do a failed insmod, a missing /dev/sysvipc and a failed
#   rmmod at the end.
# Writes RESULTS_DIR/summary (passed=/failed=/skipped=), cases.tsv and the raw
# TAP logs; exits 1 if anything failed.
# With SYSVIPC_DKMS_KO (set by make check), that module, built by dkms on the
# host, is then loaded and unloaded once more as one more case.
# The semaphore suites (SEM_TWICE) run a second time through the library
# with the module's fast path off (sem_fast=0, mode "libslow"), so both the
# user-space fast path and the ioctl path are compared with the kernel; the
# message suites (MSG_TWICE) likewise without receive rings (msg_ring=0,
# mode "libnoring").
# Environment: SYSVIPC_TESTS="a_test b_test" runs a subset,
# SYSVIPC_TEST_TIMEOUT (seconds, default 600) bounds each binary, SYSVIPC_KO.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
RES=${1:-/tmp/sysvipc-results}
KO=${SYSVIPC_KO:-$TOP/sysvipc.ko}
TMO=${SYSVIPC_TEST_TIMEOUT:-600}
mkdir -p "$RES/native" "$RES/lib" "$RES/libslow" "$RES/libnoring" "$RES/cmp"
: >"$RES/cases.tsv"; : >"$RES/failures"
passed=0 failed=0 skipped=0

fail() { # fail WHAT: count one failure that is not a test case
	failed=$((failed + 1))
	printf 'FAIL\t%s\n' "$1" >>"$RES/failures"
	echo "FAIL: $1"
}
summary() {
	printf 'passed=%d\nfailed=%d\nskipped=%d\n' "$passed" "$failed" "$skipped" >"$RES/summary.tmp"
	mv "$RES/summary.tmp" "$RES/summary"
	dmesg >"$RES/dmesg.txt" 2>/dev/null
	echo "in-VM result: $passed passed, $failed failed, $skipped skipped"
	sync
}

echo "== sysvipc selftests on $(uname -r)"
if ! insmod "$KO"; then
	fail "insmod $KO"
	summary; exit 1
fi
for _ in $(seq 50); do [ -c /dev/sysvipc ] && break; sleep 0.1; done
[ -c /dev/sysvipc ] || fail "/dev/sysvipc did not appear after insmod"

# parse_tap FILE: one "name<TAB>pass|fail|skip" line per result, then
# "#plan<TAB>N" and "#count<TAB>N"
parse_tap() {
	tr -d '\r' <"$1" | awk '
	BEGIN { plan = -1; n = 0 }
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
	/^#[ \t]+RUN[ \t]/ { cur = $3; next }
	/^(not )?ok [0-9]+/ {
		neg = ($1 == "not"); num = neg ? $3 : $2
		rest = $0; sub(/^(not )?ok [0-9]+ ?/, "", rest)
		dir = ""
		if (match(rest, /(^| )# ?[A-Za-z]+/)) {
			dir = toupper(substr(rest, RSTART, RLENGTH)); rest = substr(rest, 1, RSTART - 1)
			gsub(/[# ]/, "", dir)
		}
		name = rest; gsub(/^[ \t]+|[ \t]+$/, "", name)
		if (name == "") name = (cur != "" ? cur : "#" num)
		if (neg) st = "fail"; else if (dir == "SKIP") st = "skip"; else st = "pass"
		printf "%s\t%s\n", name, st; n++; cur = ""
		next
	}
	END { printf "#plan\t%d\n#count\t%d\n", plan, n }'
}

# run_one MODE NAME [DIR]: run out/DIR/NAME (DIR defaults to MODE), log to
# $RES/MODE/NAME.tap, parse into .res
run_one() {
	local mode=$1 name=$2 bin=$HERE/out/${3:-$1}/$2 rc wd
	echo "-- $mode/$name"
	wd=$(mktemp -d)
	local t0=$SECONDS
	(cd "$wd" && exec timeout -k 5 "$TMO" "$bin") </dev/null >"$RES/$mode/$name.tap" 2>&1 &
	wait $!; rc=$?
	[ $((SECONDS - t0)) -ge "$TMO" ] && [ "$rc" -ge 124 ] && rc=124
	rm -rf "$wd"
	sed 's/^/    /' "$RES/$mode/$name.tap"
	parse_tap "$RES/$mode/$name.tap" >"$RES/$mode/$name.res"
	local plan count
	plan=$(awk -F'\t' '$1 == "#plan" { print $2 }' "$RES/$mode/$name.res")
	count=$(awk -F'\t' '$1 == "#count" { print $2 }' "$RES/$mode/$name.res")
	case $rc in
	0 | 1 | 4) [ "$plan" -ge 0 ] && [ "$count" -lt "$plan" ] &&
		fail "$mode/$name: only $count of $plan results (exit $rc)" ;;
	124) fail "$mode/$name: timed out after ${TMO}s" ;;
	*) if [ "$rc" -gt 128 ]; then fail "$mode/$name: killed by signal $((rc - 128))"
	   else fail "$mode/$name: exit status $rc"; fi ;;
	esac
	[ "$plan" -lt 0 ] && [ "$rc" -le 1 ] && fail "$mode/$name: no TAP plan in output"
}

# compare NAME MODE TAG: native against MODE, case by case, into cases.tsv
compare() {
	local name=$1 mode=$2 tag=$3 case n l verdict
	awk -F'\t' '
		FNR == 1 { f++ }
		$1 ~ /^#(plan|count)$/ { next }
		{ if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 }
		  if (f == 1) nat[$1] = $2; else lib[$1] = $2 }
		END { for (i = 1; i <= k; i++) { c = order[i]
			printf "%s\t%s\t%s\n", c, (c in nat) ? nat[c] : "missing", (c in lib) ? lib[c] : "missing" } }
		' "$RES/native/$name.res" "$RES/$mode/$name.res" >"$RES/cmp/$name$mode"
	while IFS=$'\t' read -r case n l; do
		verdict=FAIL
		case $n/$l in
		pass/pass | skip/pass) verdict=PASS ;;
		skip/skip) verdict=SKIP ;;
		pass/skip) verdict=SKIP ;; # lib mode skipped a case that runs natively
		esac
		case $verdict in
		PASS) passed=$((passed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		FAIL) failed=$((failed + 1)) ;;
		esac
		printf '%s\t%s\t%s\tnative=%s\t%s=%s\n' "$verdict" "$name" "$case$tag" "$n" "$mode" "$l" >>"$RES/cases.tsv"
	done <"$RES/cmp/$name$mode"
}

SEM_TWICE="semop_test semfast_test"
SEM_FAST=/sys/module/sysvipc/parameters/sem_fast
MSG_TWICE="msgop_test msgring_test"
MSG_RING=/sys/module/sysvipc/parameters/msg_ring

run_again() { # run_again NAME MODE PARAM_FILE PARAM: the lib build with PARAM=0
	local name=$1 mode=$2 param=$3 pname=$4
	[ -x "$HERE/out/lib/$name" ] || return 0
	if echo 0 >"$param" 2>/dev/null; then
		run_one "$mode" "$name" lib
		echo 1 >"$param"
		compare "$name" "$mode" " [$pname=0]"
	else
		fail "$mode/$name: cannot set $param"
	fi
}

shopt -s nullglob
bins=("$HERE"/out/native/*)
if [ -n "${SYSVIPC_TESTS:-}" ]; then # subset, e.g. SYSVIPC_TESTS="get_test ctl_test"
	bins=(); for t in $SYSVIPC_TESTS; do bins+=("$HERE/out/native/$t"); done
fi
[ ${#bins[@]} -gt 0 ] || fail "no test binaries in $HERE/out/native (make selftests)"
for b in "${bins[@]}"; do
	name=${b##*/}
	run_one native "$name"
	if [ -x "$HERE/out/lib/$name" ]; then
		run_one lib "$name"
	else
		fail "lib/$name: binary missing"; : >"$RES/lib/$name.res"
	fi
	compare "$name" lib ""
	[[ " $SEM_TWICE " == *" $name "* ]] && run_again "$name" libslow "$SEM_FAST" sem_fast
	[[ " $MSG_TWICE " == *" $name "* ]] && run_again "$name" libnoring "$MSG_RING" msg_ring
done

echo "== per-case results (native vs lib)"
echo "  $passed cases passed in both modes (or lib-only); all cases: $RES/cases.tsv"
awk -F'\t' '$1 == "SKIP" { printf "  %-4s %s: %s (%s, %s)\n", $1, $2, $3, $4, $5 }' "$RES/cases.tsv"
awk -F'\t' '$1 == "FAIL" { printf "  %-4s %s: %s (%s, %s)\n", $1, $2, $3, $4, $5 }' "$RES/cases.tsv"

[ $((passed + failed + skipped)) -gt 0 ] || fail "no test case results at all"

# unload checks (selftests/unload.sh): rmmod refused while a process holds a
# descriptor, an attach, a raw mapping or an undo list, or waits in the
# module; each is one counted case. SYSVIPC_NO_UNLOAD=1 skips them.
# checkpoint/restore checks (selftests/cr.sh), the same way: dump, reload,
# restore and compare, refusals, undo lists moved between processes.
# SYSVIPC_NO_CR=1 skips them.
# CRIU checks (selftests/criu.sh): a producer/consumer pair checkpointed and
# restored by criu, native and through the library with the plugin.
# SYSVIPC_NO_CRIU=1 skips them.
for script in unload cr criu; do
	[ -d /sys/module/sysvipc ] || break
	[ "$script" = unload ] && [ "${SYSVIPC_NO_UNLOAD:-0}" = 1 ] && continue
	[ "$script" = cr ] && [ "${SYSVIPC_NO_CR:-0}" = 1 ] && continue
	[ "$script" = criu ] && [ "${SYSVIPC_NO_CRIU:-0}" = 1 ] && continue
	echo "-- $script checks"
	timeout -k 5 "$TMO" bash "$HERE/$script.sh" >"$RES/$script.tap" 2>&1
	sed 's/^/    /' "$RES/$script.tap"
	parse_tap "$RES/$script.tap" >"$RES/$script.res"
	while IFS=$'\t' read -r case st; do
		case $case in \#*) continue ;; esac
		case $st in
		pass) passed=$((passed + 1)); v=PASS ;;
		skip) skipped=$((skipped + 1)); v=SKIP ;;
		*) failed=$((failed + 1)); v=FAIL ;;
		esac
		printf '%s\t%s\t%s\tvm=%s\n' "$v" "$script" "$case" "$st" >>"$RES/cases.tsv"
		[ "$v" = FAIL ] && echo "  FAIL $script: $case"
	done <"$RES/$script.res"
	plan=$(awk -F'\t' '$1 == "#plan" { print $2 }' "$RES/$script.res")
	count=$(awk -F'\t' '$1 == "#count" { print $2 }' "$RES/$script.res")
	[ "${plan:--1}" -ge 0 ] && [ "$count" -ge "$plan" ] || fail "$script checks: $count of $plan results"
done

# module teardown and what it still holds
if [ -d /sys/module/sysvipc ]; then
	ref=$(cat /sys/module/sysvipc/refcnt 2>/dev/null)
	[ "${ref:-0}" = 0 ] || echo "module info: sysvipc refcnt is $ref after the tests"
	grep -i sysvipc /proc/slabinfo 2>/dev/null | awk '$2 > 0 { print "module info: slab still in use:", $0 }'
	if ! rmmod sysvipc; then
		fail "rmmod sysvipc"
		lsmod | grep -i sysvipc
		ls /sys/module/sysvipc/holders 2>/dev/null
	fi
fi
# the module dkms built on the host (make check sets SYSVIPC_DKMS_KO): one case
if [ -n "${SYSVIPC_DKMS_KO:-}" ]; then
	echo "== module built by dkms: $SYSVIPC_DKMS_KO"
	if [ -d /sys/module/sysvipc ]; then
		fail "dkms module: sysvipc still loaded, cannot test"
	elif insmod "$SYSVIPC_DKMS_KO" &&
		for _ in $(seq 50); do [ -c /dev/sysvipc ] && break; sleep 0.1; done &&
		[ -c /dev/sysvipc ] && head -1 /proc/driver/sysvipc/shm | grep -q 'shmid' &&
		rmmod sysvipc; then
		passed=$((passed + 1))
		printf 'PASS\tdkms\tload\n' >>"$RES/cases.tsv"
		echo "  PASS dkms: the module loads, creates /dev/sysvipc and its status files, unloads"
	else
		fail "dkms module: load, /dev/sysvipc, /proc/driver/sysvipc or unload failed"
		rmmod sysvipc 2>/dev/null
	fi
fi

summary
[ "$failed" = 0 ]
