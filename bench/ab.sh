#!/bin/bash
# Same-boot A/B of two module builds on one workload (host side).
#
# usage: bench/ab.sh [-r ROUNDS] [-l OLD_LIB] OLD.ko NEW.ko DRIVER ARGS...
#   e.g. bench/ab.sh -r 14 /tmp/old.ko sysvipc.ko build/bench/bench_shm attach 20000
#   -l: the old build's libsysvipc.so.1 goes with OLD.ko (default: both
#   builds use this tree's library), to compare two trees.
# Boots the `make check` VM once; each round loads OLD then NEW (the order
# alternating round by round) and, with each loaded, runs DRIVER natively
# (variant kernel) and under LD_PRELOAD=libsysvipc (variant sysvipc). Prints
# one line per round and module, then per module the medians and the median
# of the per-round ratios sysvipc / kernel. Emulated time is only comparable
# within one boot, hence one boot for both builds. SYSVIPC_AB_PARAMS: module
# parameters for both (e.g. msg_ring=0).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=10 OLDLIB=
[ "${1:-}" = -r ] && { ROUNDS=$2; shift 2; }
[ "${1:-}" = -l ] && { OLDLIB=$(readlink -f "$2"); shift 2; }
[ $# -ge 3 ] || { sed -n '4,16p' "$0"; exit 2; }
OLD=$(readlink -f "$1") NEW=$(readlink -f "$2"); shift 2
DRIVER=$(readlink -f "$1"); shift
if [ "${SYSVIPC_AB_IN_VM:-}" != 1 ]; then
	exec env SYSVIPC_AB_IN_VM=1 "$TOP/tools/vm/run.sh" -t 3600 -m "$OLD" \
		/bin/bash "$0" -r "$ROUNDS" ${OLDLIB:+-l "$OLDLIB"} "$OLD" "$NEW" "$DRIVER" "$@"
fi

NEWLIB=$TOP/libsysvipc/libsysvipc.so.1
LIB=$NEWLIB
run() { # run VARIANT ARGS...: the driver's RESULT value
	local env=(BENCH_VARIANT="$1")
	[ "$1" = sysvipc ] && env+=(LD_PRELOAD="$LIB" SYSVIPC_FALLBACK=0)
	shift
	(cd /tmp && env "${env[@]}" "$DRIVER" "$@") 2>/dev/null |
		awk '$1 == "RESULT" { print $2 }' | tail -1
}
: >/tmp/ab.tsv
for r in $(seq "$ROUNDS"); do
	order="old new"; [ $((r % 2)) = 0 ] && order="new old"
	for m in $order; do
		ko=$OLD LIB=${OLDLIB:-$NEWLIB}
		[ "$m" = new ] && ko=$NEW LIB=$NEWLIB
		rmmod sysvipc 2>/dev/null; insmod "$ko" ${SYSVIPC_AB_PARAMS:-} || { echo "insmod $ko failed"; exit 1; }
		k=$(run kernel "$@"); s=$(run sysvipc "$@")
		echo "round $r $m kernel ${k:--} sysvipc ${s:--}"
		printf '%s\t%s\t%s\n' "$m" "${k:-nan}" "${s:-nan}" >>/tmp/ab.tsv
	done
done
python3 - /tmp/ab.tsv <<'PY'
import statistics as st, sys
d = {}
for line in open(sys.argv[1]):
    m, k, s = line.split()
    d.setdefault(m, []).append((float(k), float(s)))
def med(xs):  # a driver with no kernel variant (io_uring batch) gives nan
    xs = [x for x in xs if x == x]
    return st.median(xs) if xs else float("nan")
for m in ("old", "new"):
    v = d.get(m, [])
    if v:
        print("%s: %d rounds, kernel median %.0f, sysvipc median %.0f, per-round ratio median %.2fx"
              % (m, len(v), med(k for k, _ in v), med(s for _, s in v),
                 med(s / k if k else float("nan") for k, s in v)))
if d.get("old") and d.get("new"):
    print("new / old (sysvipc medians): %.2fx" % (med(s for _, s in d["new"]) /
                                                  med(s for _, s in d["old"])))
PY
