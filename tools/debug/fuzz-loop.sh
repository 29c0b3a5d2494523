#!/bin/bash
# In-VM part of `make fuzz-debug` (tools/debug/fuzz-debug.sh).
# usage: fuzz-loop.sh RESULTS MODULE.ko CALLS CHUNK SEED BUDGET THREADS PROCS
# Each chunk: insmod, tools/fuzz/run.sh (fuzz, registry empty, undo_lists 0,
# rmmod, dmesg), kmemleak scan. One line per chunk in RESULTS/chunks.tsv:
# PASS|FAIL <tab> seed <tab> calls <tab> seconds. Stops at the first failure.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
RES=$1 KO=$2 CALLS=$3 CHUNK=$4 SEED=$5 BUDGET=$6 THREADS=$7 PROCS=$8
. "$HERE/lib.sh"
kmemleak_reset
: >"$RES/chunks.tsv"
t0=$(date +%s) done_=0 seed=$SEED
while [ "$done_" -lt "$CALLS" ] && [ $(($(date +%s) - t0)) -lt "$BUDGET" ]; do
	ts=$(date +%s)
	insmod "$KO" || { printf 'FAIL\t%s\t0\t0\tinsmod\n' "$seed" >>"$RES/chunks.tsv"; break; }
	out=$(bash "$TOP/tools/fuzz/run.sh" --calls "$CHUNK" --seed "$seed" \
		--threads "$THREADS" --procs "$PROCS" 2>&1)
	rc=$?
	echo "$out" >"$RES/chunk-$seed.txt"
	calls=$(echo "$out" | sed -n 's/^calls: \([0-9]*\) in.*/\1/p' | head -1)
	leak=0
	if [ -w $KML ]; then
		leak=$(kmemleak_scan "$RES/kmemleak-$seed.txt")
		[ "$leak" = 0 ] && rm -f "$RES/kmemleak-$seed.txt"
	fi
	v=PASS; { [ "$rc" = 0 ] && [ "$leak" = 0 ]; } || v=FAIL
	printf '%s\t%s\t%s\t%s\n' "$v" "$seed" "${calls:-0}" $(($(date +%s) - ts)) >>"$RES/chunks.tsv"
	echo "chunk seed $seed: $v, ${calls:-0} calls, $(($(date +%s) - ts))s, kmemleak $leak"
	sync
	[ "$v" = PASS ] || break
	done_=$((done_ + ${calls:-0})); seed=$((seed + 1))
done
echo "fuzz-loop: $done_ calls in $(($(date +%s) - t0))s"
sync
