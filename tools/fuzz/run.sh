#!/bin/bash
# In-VM driver for sysvipc-fuzz (`make fuzz`): the module is loaded already.
# usage: tools/fuzz/run.sh [sysvipc-fuzz options...]
# Runs the fuzzer as root, then checks that the registry is empty (the
# fuzzer's own *_INFO check, repeated here after every child has exited),
# that undo_lists is 0, that `rmmod sysvipc` succeeds, and that dmesg holds
# no kernel report. Prints "fuzz: PASS" or "fuzz: FAIL (...)"; exit status 0/1.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
FUZZ=${SYSVIPC_FUZZ:-$TOP/build/fuzz/sysvipc-fuzz}
fails=()
for _ in $(seq 50); do [ -c /dev/sysvipc ] && break; sleep 0.1; done
dmesg -c >/dev/null 2>&1
echo "== sysvipc-fuzz $* on $(uname -r)"
t0=$(date +%s)
"$FUZZ" "$@"; rc=$?
echo "fuzz: fuzzer exit status $rc after $(($(date +%s) - t0))s"
[ "$rc" = 0 ] || fails+=("fuzzer exit status $rc")
# a second pass, now that every worker and child is gone
"$FUZZ" --cleanup-only | sed 's/^/after: /'
[ "${PIPESTATUS[0]}" = 0 ] || fails+=("objects left after the run")
undo=$(cat /sys/module/sysvipc/parameters/undo_lists 2>/dev/null)
[ "${undo:-0}" = 0 ] || fails+=("undo_lists=$undo")
ref=$(cat /sys/module/sysvipc/refcnt 2>/dev/null)
echo "fuzz: undo_lists=${undo:-?} refcnt=${ref:-?}"
if rmmod sysvipc; then echo "fuzz: rmmod sysvipc ok"; else fails+=("rmmod sysvipc failed"); fi
if dmesg | grep -E 'BUG:|WARNING:|Oops|KASAN|UBSAN|kmemleak|lockdep is turned off|DEBUG_LOCKS_WARN_ON|hung_task|INFO: task|general protection|RCU stall|refcount_t|list_(add|del) corruption' ; then
	fails+=("kernel report in dmesg")
fi
if [ ${#fails[@]} = 0 ]; then echo "fuzz: PASS"; exit 0; fi
printf 'fuzz: FAIL (%s)\n' "$(IFS=';'; echo "${fails[*]}")"
exit 1
