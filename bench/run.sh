#!/bin/bash
# `make bench` (host side): boots the `make check` VM with sysvipc.ko loaded,
# runs bench/vm.sh in it, then writes bench/results/<date>[-quick].{csv,md}
# and one SVG per workload family with bench/report.py.
#
# usage: bench/run.sh [quick]      (the drivers must be built: make bench does it)
# Environment: VM_TIMEOUT (seconds for the VM; default 600 quick, 2400 full).
# Raw measurements and the console log stay in $CACHE/runs/bench-*.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
QUICK=${1:-}
CACHE=${SYSVIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sysvipc}
STAMP=$(date +%Y-%m-%d-%H%M)${QUICK:+-quick}
RUNDIR=$CACHE/runs/bench-$STAMP-$$
RES=$TOP/bench/results
if [ "$QUICK" = quick ]; then TMO=${VM_TIMEOUT:-600}; else TMO=${VM_TIMEOUT:-2400}; fi
mkdir -p "$RUNDIR/out" "$RES"
ls -1dt "$CACHE"/runs/bench-* 2>/dev/null | tail -n +11 | xargs -r rm -rf # keep 10
t0=$(date +%s)

echo "== benchmarks in the VM (console: $RUNDIR/console.log, raw: $RUNDIR/out/raw.tsv)"
"$TOP/tools/vm/run.sh" -t "$TMO" -w "$RUNDIR/out" -o "$RUNDIR/console.log" -m "$TOP/sysvipc.ko" \
	/bin/bash "$TOP/bench/vm.sh" "$RUNDIR/out" $QUICK
vmrc=$?
[ -s "$RUNDIR/out/raw.tsv" ] || { echo "bench: no measurements (VM status $vmrc)"; exit 1; }
cp "$RUNDIR/out/raw.tsv" "$RES/$STAMP-raw.tsv"
echo "== report"
python3 "$TOP/bench/report.py" "$RES/$STAMP-raw.tsv" "$RES/$STAMP" "$STAMP" || exit 1
echo "bench: results in bench/results/$STAMP.{csv,md} and $STAMP-*.svg ($(($(date +%s) - t0))s in the VM and report)"
if [ "$vmrc" != 0 ]; then
	echo "bench: FAILED (VM status $vmrc):"
	sed 's/^/  /' "$RUNDIR/out/failures" 2>/dev/null
	exit 1
fi
