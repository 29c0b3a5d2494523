#!/bin/bash
# In-VM unload checks, run by run.sh after the selftests and before its
# final rmmod (which must then succeed). TAP on stdout.
#
# For each way a process can keep the module busy (an open descriptor, an
# attach, an attach file kept after a detach, a raw mmap of the device, a
# SEM_UNDO list, a task blocked in semop or msgrcv, an object descriptor,
# the queues' status region mapped), a holder (sysvipc-fuzz --hold) gets
# into that state;
# `rmmod sysvipc` must then fail and leave the module working; the holder
# is SIGKILLed, and the module's refcount must drop back to 0 and
# undo_lists to 0, with no object left behind.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
FUZZ=${SYSVIPC_FUZZ:-$TOP/build/fuzz/sysvipc-fuzz}
MODES="fd kept attach mmap undo semop msgrcv objfd msgstatus"
n=0
echo "1..$(($(echo $MODES | wc -w) + 1))"
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "# $l"; done; }
refcnt() { cat /sys/module/sysvipc/refcnt 2>/dev/null || echo gone; }
TMP=$(mktemp -d)
for mode in $MODES; do
	why=()
	rm -f "$TMP/ready"
	"$FUZZ" --hold "$mode" "$TMP/ready" &
	pid=$!
	for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
	[ -e "$TMP/ready" ] || why+=("holder never got ready")
	sleep 0.2	# a blocking holder is asleep in the module by now
	before=$(refcnt)
	if out=$(rmmod sysvipc 2>&1); then
		why+=("rmmod succeeded while the holder ($mode) was alive")
		insmod "$TOP/sysvipc.ko" 2>/dev/null
	else
		echo "# $mode: rmmod refused: $out (refcnt $before)"
	fi
	[ -d /sys/module/sysvipc ] || why+=("module gone")
	# the module still answers (kept: after the holder's last close, which
	# alone must let go of the kept attach file of its listed segment)
	[ "$mode" = kept ] || "$FUZZ" --cleanup-only --quiet >/dev/null 2>&1 || true
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	for _ in $(seq 50); do [ "$(refcnt)" = 0 ] && break; sleep 0.1; done
	[ "$(refcnt)" = 0 ] || why+=("refcnt $(refcnt) after the holder died")
	if [ "$mode" = kept ]; then
		out=$("$FUZZ" --cleanup-only 2>&1)
		echo "$out" | grep -q 'removed 1 objects' || why+=("the holder's segment: $out")
	fi
	u=$(cat /sys/module/sysvipc/parameters/undo_lists 2>/dev/null)
	[ "${u:-0}" = 0 ] || why+=("undo_lists $u after the holder died")
	if [ ${#why[@]} = 0 ]; then ok "rmmod_refused_while_$mode"; else notok "rmmod_refused_while_$mode" "${why[@]}"; fi
done
rmdir "$TMP" 2>/dev/null || rm -rf "$TMP"
# nothing left: the final rmmod in run.sh will free an empty registry
if out=$("$FUZZ" --cleanup-only 2>&1) && echo "$out" | grep -q 'removed 0 objects; objects leaked = 0; undo_lists = 0'; then
	ok "registry_empty_before_rmmod"
else
	notok "registry_empty_before_rmmod" "$out"
fi
