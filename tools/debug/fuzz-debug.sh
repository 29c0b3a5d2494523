#!/bin/bash
# `make fuzz-debug`: the long ioctl-fuzz run on the debug kernel (issue 9's
# 10-million-call target). Builds the debug kernel (cached, tools/debug/
# kernel.sh) and the module against it, boots it and runs
# tools/debug/fuzz-loop.sh: chunks of CHUNK calls, each a fresh insmod, a
# fuzz run with its own seed, the registry-empty / undo_lists / rmmod / dmesg
# checks of tools/fuzz/run.sh, and a kmemleak scan. Stops after CALLS calls
# or when SECONDS_LEFT runs out; a stopped run keeps its finished chunks.
# Environment: CALLS (default 10000000), CHUNK (500000), SEED (first seed,
# default 1000), FUZZ_SECONDS (wall-clock budget in the VM, default 36000),
# THREADS/PROCS as for `make fuzz`. Last line: "N passed, M failed" (one per
# chunk, one for the console scan) and the total calls.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
CACHE=${SYSVIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sysvipc}
. "$TOP/tools/debug/lib.sh"
CALLS=${CALLS:-10000000} CHUNK=${CHUNK:-500000} SEED=${SEED:-1000}
BUDGET=${FUZZ_SECONDS:-36000}
KOUT=$("$TOP/tools/debug/kernel.sh") || { echo "fuzz-debug: no debug kernel"; echo "0 passed, 1 failed"; exit 1; }
MODSRC=$CACHE/debug-kernel/module-fuzz
rm -rf "$MODSRC" && mkdir -p "$MODSRC" && cp -r Kbuild kmod uapi "$MODSRC/" &&
	make -C "$KOUT" M="$MODSRC" modules >"$MODSRC/build.log" 2>&1 ||
	{ tail -30 "$MODSRC/build.log"; echo "0 passed, 1 failed"; exit 1; }
RUNDIR=$CACHE/runs/fuzz-debug-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$RUNDIR/results"
LOG=$RUNDIR/console.log
echo "== debug-kernel fuzz: $CALLS calls in chunks of $CHUNK (console: $LOG)"
# pci=noacpi: see check-debug.sh
VM_NOSCAN=1 "$TOP/tools/vm/run.sh" -k "$KOUT/arch/x86/boot/bzImage" -M 3G -t $((BUDGET + 1800)) \
	-a "kmemleak=on pci=noacpi" -w "$RUNDIR/results" -o "$LOG" -q \
	/bin/bash "$TOP/tools/debug/fuzz-loop.sh" "$RUNDIR/results" "$MODSRC/sysvipc.ko" \
	"$CALLS" "$CHUNK" "$SEED" "$BUDGET" "${THREADS:-4}" "${PROCS:-2}"
vmrc=$?
passed=0 failed=0 total=0
[ -s "$RUNDIR/results/chunks.tsv" ] || failed=1
while IFS=$'\t' read -r verdict _ calls _; do
	[ "$verdict" = PASS ] && { passed=$((passed + 1)); total=$((total + calls)); } || failed=$((failed + 1))
done <"$RUNDIR/results/chunks.tsv"
reports=$(debug_report_lines "$LOG")
nrep=$(printf '%s' "$reports" | grep -c .)
if [ "$nrep" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); printf '%s\n' "$reports" | head -20; fi
echo "fuzz-debug: VM status $vmrc; $total calls in passing chunks; kernel reports: $nrep; results: $RUNDIR"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
