#!/bin/bash
# `make check-debug`: the debug-kernel run. Builds (once, cached by config
# hash) Debian's linux-source-6.1 with tools/debug/debug.config (KASAN,
# lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, DEBUG_OBJECTS, KMEMLEAK, UBSAN,
# FAILSLAB/FAIL_PAGE_ALLOC, hung-task detection), builds sysvipc.ko against
# it (in the cache, not in the tree), boots it with tools/vm/run.sh -k and
# runs tools/debug/in-vm.sh: every selftest (with the short fuzz run and the
# unload checks), allocation-failure injection, a failslab fuzz run and a
# kmemleak scan. Any report in the console fails the run.
# The last line is "N passed, M failed[, K skipped]", as for `make check`.
# Environment: DEBUG_VM_TIMEOUT (default 5400 s), SYSVIPC_FUZZ_CALLS (the
# short fuzz run inside the selftests, default here 100000),
# SYSVIPC_TEST_TIMEOUT (per test binary, default here 1500 s).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
MAKE=${MAKE:-make}
CACHE=${SYSVIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sysvipc}
. "$TOP/tools/debug/lib.sh"
passed=0 failed=0 skipped=0 notes=()
t0=$(date +%s)
verdict() {
	[ ${#notes[@]} -eq 0 ] || printf 'check-debug: %s\n' "${notes[@]}"
	echo "check-debug: $(($(date +%s) - t0))s"
	s="$passed passed, $failed failed"
	[ "$skipped" = 0 ] || s="$s, $skipped skipped"
	echo "$s"
	[ "$failed" = 0 ]
	exit
}
step() {
	local name=$1; shift
	echo "== $name"
	"$@" && return 0
	failed=$((failed + 1)); notes+=("FAILED: $name")
	return 1
}

step "make all" $MAKE all || verdict
tk=$(date +%s)
echo "== debug kernel (tools/debug/kernel.sh)"
KOUT=$("$TOP/tools/debug/kernel.sh") || { failed=$((failed + 1)); notes+=("FAILED: debug kernel build"); verdict; }
notes+=("debug kernel: $KOUT ($(($(date +%s) - tk))s this run; first build took $(cat "$KOUT/.build-seconds" 2>/dev/null || echo ?)s)")

# the module, built against the debug kernel in a copy of its sources
MODSRC=$CACHE/debug-kernel/module
build_module() {
	rm -rf "$MODSRC" && mkdir -p "$MODSRC" && cp -r Kbuild kmod uapi "$MODSRC/" &&
	make -C "$KOUT" M="$MODSRC" W=1 modules >"$MODSRC/build.log" 2>&1 ||
		{ tail -30 "$MODSRC/build.log"; return 1; }
	if grep -E '(warning|error):' "$MODSRC/build.log" | grep -q "$MODSRC"; then
		grep -E '(warning|error):' "$MODSRC/build.log"; return 1
	fi
}
step "sysvipc.ko for the debug kernel" build_module || verdict
mkdir -p build/debug
step "failinject" gcc -Wall -Wextra -Werror -O2 -g -Iuapi -o build/debug/failinject tools/debug/failinject.c || verdict

RUNDIR=$CACHE/runs/check-debug-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$RUNDIR/results"
LOG=$RUNDIR/console.log
ls -1dt "$CACHE"/runs/check-debug-* 2>/dev/null | tail -n +6 | xargs -r rm -rf
echo "== debug kernel VM (console: $LOG)"
# pci=noacpi: under emulation the instrumented ACPI interpreter runs the
# PCI routing method (_PRT) into AE_AML_LOOP_TIMEOUT, virtio-pci gets no
# interrupt and 9p hangs; the legacy routing table works. ACPI itself stays
# (poweroff -f needs it).
tv=$(date +%s)
SYSVIPC_FUZZ_CALLS=${SYSVIPC_FUZZ_CALLS:-100000} SYSVIPC_TEST_TIMEOUT=${SYSVIPC_TEST_TIMEOUT:-1500} SYSVIPC_CRIU_OPTIONAL=1 \
VM_NOSCAN=1 "$TOP/tools/vm/run.sh" -k "$KOUT/arch/x86/boot/bzImage" -M 3G -t "${DEBUG_VM_TIMEOUT:-5400}" \
	-a "kmemleak=on pci=noacpi" -w "$RUNDIR/results" -o "$LOG" \
	/bin/bash "$TOP/tools/debug/in-vm.sh" "$RUNDIR/results" "$MODSRC/sysvipc.ko" "$TOP/build/debug/failinject"
vmrc=$?
notes+=("VM: $(($(date +%s) - tv))s")
if [ -s "$RUNDIR/results/summary" ]; then
	while IFS='=' read -r k v; do
		case $k in
		passed) passed=$((passed + v)) ;;
		failed) failed=$((failed + v)) ;;
		skipped) skipped=$((skipped + v)) ;;
		faults_nth) notes+=("faults injected (fail-nth sweeps): $v") ;;
		faults_failslab) notes+=("faults injected (failslab into the fuzzer): $v") ;;
		esac
	done <"$RUNDIR/results/summary"
	[ "$vmrc" = 0 ] || grep -q '^failed=0$' "$RUNDIR/results/summary" ||
		notes+=("VM exit status $vmrc")
	if [ "$vmrc" != 0 ] && grep -q '^failed=0$' "$RUNDIR/results/summary"; then
		failed=$((failed + 1)); notes+=("FAILED: VM exit status $vmrc with no failure in the summary")
	fi
else
	failed=$((failed + 1)); notes+=("FAILED: the VM wrote no summary (status $vmrc; panic, timeout or boot failure?)")
fi
reports=$(debug_report_lines "$LOG")
nrep=$(printf '%s' "$reports" | grep -c . )
notes+=("kernel reports in the console: $nrep")
if [ "$nrep" != 0 ]; then
	failed=$((failed + 1)); notes+=("FAILED: kernel reports in the console log:")
	while IFS= read -r l; do notes+=("  $l"); done < <(printf '%s\n' "$reports" | head -20)
fi
notes+=("console log: $LOG" "results: $RUNDIR/results")
verdict
