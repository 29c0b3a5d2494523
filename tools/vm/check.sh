#!/bin/bash
# `make check`: deps, build, lint, then the selftests in a VM; the console log
# is scanned for kernel splats. The last line printed is the verdict
# "N passed, M failed, K skipped"; exit status 0 only if nothing failed.
# A failed build/deps step, a failed lint, a VM that reports no status and
# any console splat each count as one failure.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
MAKE=${MAKE:-make}
CACHE=${SYSVIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sysvipc}
VM_TIMEOUT=${VM_TIMEOUT:-900}
passed=0 failed=0 skipped=0 notes=()
t0=$(date +%s)

verdict() {
	local s
	[ ${#notes[@]} -eq 0 ] || printf 'check: %s\n' "${notes[@]}"
	echo "check: $(($(date +%s) - t0))s"
	s="$passed passed, $failed failed"
	[ "$skipped" = 0 ] || s="$s, $skipped skipped"
	echo "$s"
	[ "$failed" = 0 ]
	exit
}
step() { # step NAME CMD...: run a build step, count a failure if it fails
	local name=$1; shift
	echo "== $name"
	"$@" && return 0
	failed=$((failed + 1)); notes+=("FAILED: $name")
	return 1
}

step "make deps" $MAKE deps || verdict
step "make all" $MAKE all || verdict
step "make lint" $MAKE lint

RUNDIR=$CACHE/runs/check-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$RUNDIR/results"
LOG=$RUNDIR/console.log
# keep the 10 newest runs
ls -1dt "$CACHE"/runs/check-* 2>/dev/null | tail -n +11 | xargs -r rm -rf

# host-side cases (install into a DESTDIR, man pages, pkg-config, dkms into a
# scratch tree), each counted; the module dkms built is loaded in the VM
echo "== host checks (log: $RUNDIR/host.log)"
SYSVIPC_DKMS_OUT=$RUNDIR/dkms/sysvipc.ko MAKE=$MAKE "$TOP/tools/check-host.sh" 2>&1 | tee "$RUNDIR/host.log"
hline=$(sed -n 's/^host: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$RUNDIR/host.log" | tail -1)
if [ -n "$hline" ]; then
	passed=$((passed + ${hline% *})); failed=$((failed + ${hline#* }))
	[ "${hline#* }" = 0 ] || notes+=("FAILED: host checks (see $RUNDIR/host.log)")
else
	failed=$((failed + 1)); notes+=("FAILED: host checks printed no verdict")
fi
[ -f "$RUNDIR/dkms/sysvipc.ko" ] && export SYSVIPC_DKMS_KO=$RUNDIR/dkms/sysvipc.ko

echo "== selftests in the VM (console: $LOG)"
VM_NOSCAN=1 "$TOP/tools/vm/run.sh" -t "$VM_TIMEOUT" -w "$RUNDIR/results" -o "$LOG" \
	/bin/bash "$TOP/selftests/run.sh" "$RUNDIR/results"
vmrc=$?
if [ -s "$RUNDIR/results/summary" ]; then
	while IFS='=' read -r k v; do
		case $k in
		passed) passed=$((passed + v)) ;;
		failed) failed=$((failed + v)) ;;
		skipped) skipped=$((skipped + v)) ;;
		esac
	done <"$RUNDIR/results/summary"
	if [ "$vmrc" != 0 ] && grep -q '^failed=0$' "$RUNDIR/results/summary"; then
		failed=$((failed + 1)); notes+=("FAILED: VM exit status $vmrc with no failure in the summary")
	fi
else
	failed=$((failed + 1)); notes+=("FAILED: the VM wrote no test summary (status $vmrc; panic, timeout or boot failure?)")
fi
if ! "$TOP/tools/vm/scan-console.sh" "$LOG"; then
	failed=$((failed + 1)); notes+=("FAILED: kernel splat in the console log")
fi
notes+=("console log: $LOG" "results: $RUNDIR/results")
verdict
