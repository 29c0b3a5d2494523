#!/bin/bash
# In-VM part of `make check-debug` (debug kernel booted by tools/vm/run.sh -k).
# usage: tools/debug/in-vm.sh RESULTS_DIR MODULE.ko FAILINJECT_BIN
#  1. kmemleak: a first scan, then `clear`, so boot-time suspects do not count
#  2. every selftest through selftests/run.sh (native and library, the short
#     fuzz run, the unload checks, its final rmmod)
#  3. insmod again; allocation-failure sweeps (failinject: fail-nth over each
#     family's paths), then the fuzzer with failslab at 10% for its tasks
#     only (task-filter + make-it-fail), a cleanup, and rmmod
#  4. kmemleak scan: any unreferenced object is a failure
# Writes RESULTS_DIR/summary (passed=/failed=/skipped=, the selftests' counts
# plus one per case here), and prints the figures.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
RES=$1 KO=$2 FI=$3
FUZZ=${SYSVIPC_FUZZ:-$TOP/build/fuzz/sysvipc-fuzz}
FCALLS=${SYSVIPC_FAILSLAB_FUZZ_CALLS:-50000}
DBG=/sys/kernel/debug
. "$HERE/lib.sh"
mkdir -p "$RES/selftests"
passed=0 failed=0 skipped=0
case_() { # case_ NAME ok|fail [detail]
	if [ "$2" = ok ]; then passed=$((passed + 1)); echo "ok - $1${3:+: $3}"
	else failed=$((failed + 1)); echo "not ok - $1${3:+: $3}"; fi
	printf '%s\t%s\t%s\n' "$([ "$2" = ok ] && echo PASS || echo FAIL)" "$1" "${3:-}" >>"$RES/debug-cases.tsv"
}
: >"$RES/debug-cases.tsv"
echo "== debug kernel $(uname -r)"
if kmemleak_reset; then
	echo "kmemleak: boot-time suspects cleared"
else
	case_ kmemleak_available fail "no $KML"
fi

# 2. the selftests
SYSVIPC_KO=$KO bash "$TOP/selftests/run.sh" "$RES/selftests"
if [ -s "$RES/selftests/summary" ]; then
	. "$RES/selftests/summary"	# passed= failed= skipped=
else
	passed=0 failed=1 skipped=0; echo "FAIL: selftests wrote no summary"
fi

# 3. fault injection
if ! insmod "$KO"; then
	case_ insmod_for_fault_injection fail
else
	for _ in $(seq 50); do [ -c /dev/sysvipc ] && break; sleep 0.1; done
	echo "== allocation-failure sweeps (fail-nth)"
	"$FI" 300 | tee "$RES/failinject.tap"
	while read -r l; do
		case $l in
		"ok "*) case_ "failinject: ${l#ok [0-9]* }" ok ;;
		"not ok "*) case_ "failinject: ${l#not ok [0-9]* }" fail ;;
		esac
	done <"$RES/failinject.tap"
	nth=$(sed -n 's/^# failinject: \([0-9]*\) faults injected.*/\1/p' "$RES/failinject.tap")

	echo "== fuzzer with failslab at 10% (task-filter, make-it-fail), $FCALLS calls"
	F=$DBG/failslab
	echo 0 >$F/probability
	echo N >$F/ignore-gfp-wait; echo 0 >$F/verbose; echo 1 >$F/interval
	echo Y >$F/task-filter; echo 10000000 >$F/times; echo 10 >$F/probability
	# only the worker threads set make-it-fail (--failslab), after start-up.
	# Failed allocations without __GFP_NOWARN (fork's vmalloc'd stack ...)
	# log warn_alloc() reports with a stack dump: expected here, so they are
	# kept off the console that check-debug scans; this window's dmesg is
	# scanned below for real reports instead.
	dmesg -c >/dev/null
	read -r printk </proc/sys/kernel/printk
	echo "1 4 1 7" >/proc/sys/kernel/printk
	"$FUZZ" --failslab --calls "$FCALLS" --seed 3 --no-cleanup >"$RES/fuzz-failslab.txt" 2>&1
	frc=$?
	echo "$printk" >/proc/sys/kernel/printk
	dmesg >"$RES/dmesg-failslab.txt"
	if grep -E 'BUG:|WARNING:|Oops|KASAN|UBSAN|circular|lockdep is turned off|DEBUG_LOCKS_WARN_ON|general protection|list_(add|del) corruption|ODEBUG' \
		"$RES/dmesg-failslab.txt" | grep -v 'page allocation failure'; then
		case_ failslab_window_reports fail "kernel reports while failslab was on"
	else
		case_ failslab_window_reports ok \
			"$(grep -c 'allocation failure\|vmalloc error' "$RES/dmesg-failslab.txt") expected allocation-failure warnings"
	fi
	echo 0 >$F/probability
	left=$(cat $F/times)
	slab=$((10000000 - left))
	echo N >$F/task-filter; echo 1 >$F/times
	grep -E '^(calls|errno histogram|worker)' "$RES/fuzz-failslab.txt"
	echo "failslab faults injected into the fuzzer's tasks: $slab"
	out=$("$FUZZ" --cleanup-only 2>&1); echo "$out"
	if [ "$frc" = 0 ] && echo "$out" | grep -q 'objects leaked = 0; undo_lists = 0'; then
		case_ fuzz_under_failslab ok "$slab faults"
	else
		case_ fuzz_under_failslab fail "fuzzer status $frc"
	fi
	if rmmod sysvipc; then case_ rmmod_after_fault_injection ok; else case_ rmmod_after_fault_injection fail; fi
fi

# 4. kmemleak (objects must be 5 s old to count)
if [ -w $KML ]; then
	n=$(kmemleak_scan "$RES/kmemleak.txt")
	if [ "$n" = 0 ]; then case_ kmemleak_clean ok
	else case_ kmemleak_clean fail "$n unreferenced objects"; head -60 "$RES/kmemleak.txt"; fi
fi
echo "figures: fail-nth faults injected: ${nth:-0}; failslab faults in the fuzzer: ${slab:-0}"
printf 'passed=%d\nfailed=%d\nskipped=%d\nfaults_nth=%s\nfaults_failslab=%s\n' "$passed" "$failed" \
	"$skipped" "${nth:-0}" "${slab:-0}" >"$RES/summary"
echo "in-VM debug result: $passed passed, $failed failed, $skipped skipped"
sync
[ "$failed" = 0 ]
