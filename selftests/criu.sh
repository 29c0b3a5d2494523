#!/bin/bash
# In-VM CRIU checks (tools/criu/sysvipc_plugin.so, docs/criu.md), run by
# run.sh after cr.sh with the module loaded and empty; leaves it so. TAP.
#
# selftests/criu_pair (a producer and a consumer over a queue, each holding
# a SEM_UNDO adjustment on a "live" semaphore, both moving an "in flight"
# semaphore) is checkpointed in the middle of its run with `criu dump`
# (which kills it) and brought back with `criu restore`; it must finish with
# every message delivered once and in order, in flight back at 0 and the
# live count going 2 -> 1 -> 0 as each process exits.
# On the same VM: native (kernel IPC, the pair in its own IPC namespace,
# which CRIU dumps and recreates), through libsysvipc with the plugin (its
# fast-path pages and status region mapped: they must come back at the same
# addresses and offsets, in a freshly loaded module: rmmod and insmod
# between dump and restore), and through libsysvipc with SYSVIPC_MAPS=0
# (the objects removed with sysvipc-ipcrm between dump and restore).
# Through the library the undo lists must come back unchanged, and a
# restore while the dumped ids are taken must be refused with the registry
# unchanged.  CRIU itself saves no SEM_UNDO lists (its own limit), so the
# native undo check is reported, not counted.  Without criu installed
# every check is skipped; with SYSVIPC_CRIU_OPTIONAL=1 (check-debug) also
# when `criu check` fails.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
export SYSVIPC_CR=${SYSVIPC_CR:-$TOP/build/tools/sysvipc-cr}
PLUGDIR=${SYSVIPC_CRIU_PLUGINDIR:-$TOP/build/criu}
IPCRM=$TOP/build/tools/sysvipc-ipcrm
KO=${SYSVIPC_KO:-$TOP/sysvipc.ko}
P=/proc/driver/sysvipc
N=${CRIU_PAIR_MESSAGES:-1500}
n=0
echo "1..9"
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if ! command -v criu >/dev/null || [ ! -f "$PLUGDIR/sysvipc_plugin.so" ]; then
	for i in $(seq 9); do skip "criu check $i" "criu or the plugin is missing"; done
	exit 0
fi
# what criu's feature probes need in the VM: netlink diag, nf_tables, lo
for m in nfnetlink nf_tables unix_diag inet_diag tcp_diag udp_diag netlink_diag packet_diag tun veth; do
	modprobe -q $m 2>/dev/null
done
ip link set lo up 2>/dev/null
# the debug kernel (make check-debug) is built without CHECKPOINT_RESTORE
if [ "${SYSVIPC_CRIU_OPTIONAL:-0}" = 1 ] && ! criu check >/dev/null 2>&1; then
	for i in $(seq 9); do skip "criu check $i" "criu check fails on $(uname -r)"; done
	exit 0
fi

undo_of() { "$SYSVIPC_CR" undo "$1" 2>&1 | tail -n +2; }
wait_file() { # wait_file FILE PATTERN SECS
	for _ in $(seq $(($3 * 10))); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

# run_pair MODE: start, dump in the middle, restore, wait for the end.
# Sets why[] (failures of the delivery checks) and undo_why[].
run_pair() {
	local mode=$1 d=$TMP/$1 pid kids p before after
	mkdir -p "$d/img"
	why=() undo_why=() restore_clash=()
	case $mode in
	native) setsid unshare --ipc "$HERE/out/helpers/native/criu_pair" "$d" "$N" </dev/null >/dev/null 2>&1 & ;;
	lib) setsid "$HERE/out/helpers/lib/criu_pair" "$d" "$N" </dev/null >/dev/null 2>&1 & ;;
	nomaps) SYSVIPC_MAPS=0 setsid "$HERE/out/helpers/lib/criu_pair" "$d" "$N" </dev/null >/dev/null 2>&1 & ;;
	esac
	pid=$!
	disown $pid
	if ! wait_file "$d/progress" '^([2-9][0-9]{2}|[0-9]{4,})$' 120; then
		why+=("the pair made no progress"); kill -9 $pid; return
	fi
	kids=$(cat /proc/$pid/task/*/children 2>/dev/null)
	if [ "$mode" != native ]; then
		for t in $pid $kids; do
			undo_of "$t" >"$d/undo-before-$t"
			grep ' /dev/sysvipc' /proc/$t/maps >"$d/maps-before-$t"
		done
	fi
	if ! criu dump -t $pid -D "$d/img" -L "$PLUGDIR" -v4 -o dump.log >>"$d/criu.out" 2>&1; then
		why+=("criu dump failed:" "$(grep -E 'Error|sysvipc' "$d/img/dump.log" | tail -8)")
		kill -9 $pid 2>/dev/null; return
	fi
	p=$(cat "$d/progress")
	echo "# $mode: dumped after $p of $N messages"
	[ "$p" -lt "$N" ] || why+=("the dump came after the end ($p)")
	if kill -0 $pid 2>/dev/null; then why+=("the pair survived the dump"); return; fi
	if [ "$mode" != native ]; then
		before=$(cat $P/sem $P/msg)
		if criu restore -D "$d/img" -L "$PLUGDIR" -d -v4 -o restore-refused.log >>"$d/criu.out" 2>&1; then
			refused=no
		else
			refused=yes
		fi
		after=$(cat $P/sem $P/msg)
		[ "$refused" = yes ] && [ "$before" = "$after" ] && [ -z "$(cat /proc/$pid/task/*/children 2>/dev/null)" ] ||
			restore_clash=("refused=$refused" "registry changed: $([ "$before" = "$after" ] && echo no || echo yes)")
		if [ "$mode" = lib ]; then
			# a fresh module, as after a reboot or on another machine
			rmmod sysvipc || why+=("rmmod after the dump failed")
			insmod "$KO" || { why+=("insmod failed"); return; }
			for _ in $(seq 50); do [ -c /dev/sysvipc ] && break; sleep 0.1; done
		else
			"$IPCRM" -a >/dev/null
		fi
	fi
	if ! criu restore -D "$d/img" -L "$PLUGDIR" -d -v4 -o restore.log >>"$d/criu.out" 2>&1; then
		why+=("criu restore failed:" "$(grep -E 'Error|sysvipc' "$d/img/restore.log" | tail -8)")
		return
	fi
	if [ "$mode" != native ]; then
		for t in $pid $kids; do
			grep ' /dev/sysvipc' /proc/$t/maps >"$d/maps-after-$t"
			undo_of "$t" >"$d/undo-after-$t"
			cmp -s "$d/undo-before-$t" "$d/undo-after-$t" ||
				undo_why+=("undo list of $t: before [$(tr '\n' ' ' <"$d/undo-before-$t")] after [$(tr '\n' ' ' <"$d/undo-after-$t")]")
			[ -s "$d/undo-before-$t" ] || undo_why+=("no undo list for $t at the dump")
		done
	fi
	if ! wait_file "$d/result" '^final live=' 300; then
		why+=("no final line:" "$(cat "$d/result" 2>/dev/null)"); return
	fi
	grep -q '^consumer: [0-9]* messages in order, none lost or twice$' "$d/result" &&
		grep -q '^consumer status 0$' "$d/result" &&
		grep -q '^final in flight=0$' "$d/result" || why+=("$(cat "$d/result")")
	grep -q '^producer: live=1$' "$d/result" && grep -q '^final live=0$' "$d/result" ||
		undo_why+=("live counts: $(grep live "$d/result" | tr '\n' ' ')")
	sed 's/^/# /' "$d/result"
}

report() { # report NAME: ok if why[] is empty
	if [ ${#why[@]} = 0 ]; then ok "$1"; else notok "$1" "${why[@]}"; fi
}

restore_clash=()
run_pair native
report "native: criu dump and restore of the pair, every message once and in order"
native_why=("${why[@]}")
if [ ${#undo_why[@]} = 0 ]; then ok "native: live counts 2 -> 1 -> 0 across the restore"
else skip "native: live counts across the restore" "CRIU saves no SEM_UNDO lists: ${undo_why[*]}"; fi

run_pair lib
report "lib: criu dump, reload the module, restore: every message once and in order"
lib_undo_why=("${undo_why[@]}")
why=("${restore_clash[@]}"); report "lib: restore refused while the dumped ids are taken, registry unchanged"
why=("${lib_undo_why[@]}"); report "lib: undo lists restored and applied once: live counts 2 -> 1 -> 0"
d=$TMP/lib
why=()
for f in sysvipc-objects.img sysvipc-undo.img; do [ -s "$d/img/$f" ] || why+=("no $f in the images"); done
ls "$d"/img/sysvipc-fd-*.img >/dev/null 2>&1 || why+=("no descriptor marker in the images")
"$SYSVIPC_CR" verify "$d/img/sysvipc-objects.img" >/dev/null 2>&1 || why+=("sysvipc-cr verify refused the objects image")
report "lib: the plugin saved objects (verified), undo lists and the descriptor"
why=()
sem_maps=$(cat "$d"/maps-before-* 2>/dev/null | awk '{ print $3 }' | grep -c '^1[0-9a-f]\{11\}$')
status_maps=$(cat "$d"/maps-before-* 2>/dev/null | awk '{ print $3 }' | grep -c '^200000000000$')
[ "$sem_maps" -gt 0 ] || why+=("no fast-path page mapped at the dump")
[ "$status_maps" -gt 0 ] || why+=("no status region mapped at the dump")
for f in "$d"/maps-before-*; do
	a=${f/before/after}
	[ -f "$a" ] || continue
	diff <(awk '{ print $1, $2, $3 }' "$f") <(awk '{ print $1, $2, $3 }' "$a") >/dev/null ||
		why+=("${f##*-}: mappings differ:" "$(diff "$f" "$a")")
done
report "lib: fast-path pages ($sem_maps) and status regions ($status_maps) back at the same addresses"

run_pair nomaps
why+=("${undo_why[@]}")
report "lib, SYSVIPC_MAPS=0: criu dump and restore, every message once, live counts 2 -> 1 -> 0"
"$IPCRM" -a >/dev/null
why=()
left=$(cat $P/shm $P/sem $P/msg | grep -vc key)
[ "$left" = 0 ] || why+=("$left objects left")
report "registry empty at the end"
