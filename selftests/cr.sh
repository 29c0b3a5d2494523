#!/bin/bash
# In-VM checkpoint/restore checks (sysvipc-cr, SYSVIPC_IOC_UNDO_*,
# SYSVIPC_GET_AT_ID, SYSVIPC_IOC_RESTORE), run by run.sh after unload.sh
# with the module loaded and empty; leaves it loaded and empty. TAP.
#
# A holder (sysvipc-fuzz --hold cr) fills every object type and stays alive
# (its pid is what the objects record), its device descriptor closed; then
# dump -> rmmod -> insmod -> restore, and the status files and a second
# dump must equal the first byte for byte.  Corrupted, truncated and
# clashing files must be refused with nothing created; a restore that
# fails midway must remove what it created.  An undo list is moved from
# one process to a fresh one and applied at that one's exit; unprivileged
# callers are refused.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
FUZZ=${SYSVIPC_FUZZ:-$TOP/build/fuzz/sysvipc-fuzz}
CR=${SYSVIPC_CR:-$TOP/build/tools/sysvipc-cr}
KO=${SYSVIPC_KO:-$TOP/sysvipc.ko}
P=/proc/driver/sysvipc
PARAMS=/sys/module/sysvipc/parameters
n=0
echo "1..9"
ok() { n=$((n + 1)); echo "ok $n $1"; }
notok() { n=$((n + 1)); echo "not ok $n $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { # check NAME: ok if why[] is empty
	if [ ${#why[@]} = 0 ]; then ok "$1"; else notok "$1" "${why[@]}"; fi
}
state() { cat $P/shm $P/sem $P/msg; }
nobjs() { state | grep -vc 'key'; }
TMP=$(mktemp -d)
chmod 755 "$TMP"	# nobody reads the image in the refusal checks
holder=

wait_ready() {
	for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done
	return 1
}
wait_exec() { # until PID runs sleep (setpriv has switched user and exec'd)
	for _ in $(seq 100); do [ "$(cat /proc/"$1"/comm 2>/dev/null)" = sleep ] && return 0; sleep 0.05; done
	return 1
}
cleanup() {
	[ -n "$holder" ] && kill -9 "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	holder=
	"$FUZZ" --cleanup-only --quiet >/dev/null 2>&1 || true
}

# 1. dump -> rmmod -> insmod -> restore -> compare
why=()
"$FUZZ" --hold cr "$TMP/ready" &
holder=$!
for _ in $(seq 200); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
[ -e "$TMP/ready" ] || why+=("holder never got ready")
state >"$TMP/before"
"$CR" dump "$TMP/a.img" >/dev/null || why+=("dump failed")
[ "$(nobjs)" -ge 8 ] || why+=("holder created $(nobjs) objects")
if rmmod sysvipc && insmod "$KO"; then
	for _ in $(seq 50); do [ -c /dev/sysvipc ] && break; sleep 0.1; done
	[ "$(nobjs)" = 0 ] || why+=("objects after reload")
	"$CR" restore "$TMP/a.img" >"$TMP/out" 2>&1 || why+=("restore failed: $(cat "$TMP/out")")
	state >"$TMP/after"
	cmp -s "$TMP/before" "$TMP/after" || why+=("status files differ:" "$(diff "$TMP/before" "$TMP/after")")
	"$CR" dump "$TMP/b.img" >/dev/null || why+=("second dump failed")
	cmp "$TMP/a.img" "$TMP/b.img" >/dev/null 2>&1 || why+=("dumps differ: $(cmp "$TMP/a.img" "$TMP/b.img" 2>&1)")
else
	why+=("reload failed (holder keeps the module?)")
fi
check "dump_reload_restore_identical"

# 2. restoring over existing objects is refused, nothing changes
why=()
state >"$TMP/s0"
if "$CR" restore "$TMP/a.img" >"$TMP/out" 2>&1; then why+=("restore over itself succeeded"); fi
grep -q 'in use' "$TMP/out" || why+=("message: $(cat "$TMP/out")")
state | cmp -s - "$TMP/s0" || why+=("state changed")
check "restore_refuses_ids_in_use"
cleanup

# 3. corrupted and truncated files: refused, nothing created
why=()
size=$(stat -c %s "$TMP/a.img")
cp "$TMP/a.img" "$TMP/c.img"
printf '\xff' | dd of="$TMP/c.img" bs=1 seek=$((size / 2)) conv=notrunc status=none
head -c $((size - 9)) "$TMP/a.img" >"$TMP/t.img"
head -c 20 "$TMP/a.img" >"$TMP/h.img"
cp "$TMP/a.img" "$TMP/v.img"
printf '\x02' | dd of="$TMP/v.img" bs=1 seek=8 conv=notrunc status=none
cp "$TMP/a.img" "$TMP/x.img"; printf 'junk' >>"$TMP/x.img"
for f in c t h v x; do
	if "$CR" restore "$TMP/$f.img" >"$TMP/out" 2>&1; then why+=("$f.img accepted"); fi
	grep -q 'refused, nothing changed' "$TMP/out" || why+=("$f.img: $(cat "$TMP/out")")
	[ "$(nobjs)" = 0 ] || why+=("$f.img: objects created")
done
"$CR" verify "$TMP/a.img" >/dev/null || why+=("verify of the good file failed")
check "corrupted_truncated_refused"

# 4. a failure midway removes what was created
why=()
echo 100 >$PARAMS/msgmax	# the queue's 250-byte message no longer fits
if "$CR" restore "$TMP/a.img" >"$TMP/out" 2>&1; then why+=("restore succeeded"); fi
echo 0 >$PARAMS/msgmax
grep -q 'were removed' "$TMP/out" || why+=("message: $(cat "$TMP/out")")
[ "$(nobjs)" = 0 ] || why+=("$(nobjs) objects left")
check "midway_failure_rolls_back"
cleanup

# 5. undo list moved to a fresh process, applied at its exit
why=()
sem() { "$TOP/build/tools/sysvipc-ipcs" -s -i "$1" | awk '$1 ~ /^[0-9]+$/ && NF >= 5 { printf "%s ", $2 }'; }
rm -f "$TMP/ready"
"$FUZZ" --hold undo-src "$TMP/ready" &
src=$!
wait_ready "$TMP/ready" || why+=("source never ready")
id=$(cat "$TMP/ready")
"$CR" undo "$src" >"$TMP/undo" || why+=("undo $src failed")
got=$(awk -v id="$id" '$1 == id { printf "%s:%s:%s ", $1, $2, $3 }' "$TMP/undo")
[ "$got" = "$id:0:3 $id:1:-2 " ] || why+=("undo list of the source: '$got'" "$(cat "$TMP/undo")")
sleep 1000 &
dst=$!
# shellcheck disable=SC2086
"$CR" undo-set "$dst" $got || why+=("undo-set failed")
"$CR" undo-set "$src" || why+=("clearing the source's list failed")
[ "$("$CR" undo "$src" | wc -l)" = 1 ] || why+=("source list not empty")
kill -9 "$src"; wait "$src" 2>/dev/null
[ "$(sem "$id")" = "7 12 " ] || why+=("after the source exited: $(sem "$id")")
kill -9 "$dst"; wait "$dst" 2>/dev/null
for _ in $(seq 50); do [ "$(sem "$id")" = "10 10 " ] && break; sleep 0.1; done
[ "$(sem "$id")" = "10 10 " ] || why+=("after the new owner exited: $(sem "$id")")
u=$(cat $PARAMS/undo_lists)
[ "$u" = 0 ] || why+=("undo_lists $u")
check "undo_list_moved_and_applied"

# 6. bad undo lists refused
why=()
sleep 1000 &
dst=$!
for bad in "$id:2:1" "$id:0:1 $id:0:2" "$((id + 1)):0:1"; do
	# shellcheck disable=SC2086
	if "$CR" undo-set "$dst" $bad 2>/dev/null; then why+=("accepted $bad"); fi
done
if "$CR" undo-set 999999 "$id:0:1" 2>/dev/null; then why+=("accepted pid 999999"); fi
[ "$("$CR" undo "$dst" | wc -l)" = 1 ] || why+=("list not empty")
kill -9 "$dst"; wait "$dst" 2>/dev/null
check "undo_set_validates"

# 7. unprivileged callers refused
why=()
sleep 1000 &
dst=$!
NOBODY=(setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all)
asnobody() { "${NOBODY[@]}" "$@"; }
asnobody "$CR" undo "$dst" 2>"$TMP/out" && why+=("nobody read root's undo list")
grep -q 'Operation not permitted' "$TMP/out" || why+=("undo: $(cat "$TMP/out")")
asnobody "$CR" undo-set "$dst" "$id:0:1" 2>"$TMP/out" && why+=("nobody wrote root's undo list")
"${NOBODY[@]}" sleep 1000 &	# not through a function: $! must be sleep
ndst=$!
wait_exec "$ndst" || why+=("nobody's sleep did not start")
asnobody "$CR" undo "$ndst" 2>"$TMP/out" && why+=("nobody without CAP_CHECKPOINT_RESTORE read its own kind's list")
"$FUZZ" --cleanup-only --quiet >/dev/null 2>&1
asnobody "$CR" restore "$TMP/a.img" >"$TMP/out" 2>&1 && why+=("nobody restored")
grep -q 'Operation not permitted' "$TMP/out" || why+=("restore: $(cat "$TMP/out")")
[ "$(nobjs)" = 0 ] || why+=("nobody's restore left $(nobjs) objects")
kill -9 "$dst" "$ndst"; wait "$dst" "$ndst" 2>/dev/null
check "unprivileged_refused"

# 8. CAP_CHECKPOINT_RESTORE alone suffices for the same user, not another
why=()
"${NOBODY[@]}" sleep 1000 &	# not through a function: $! must be sleep
ndst=$!
wait_exec "$ndst" || why+=("nobody's sleep did not start")
ascr() { setpriv --reuid "$1" --regid "$1" --clear-groups --inh-caps=+checkpoint_restore \
	--ambient-caps=+checkpoint_restore "${@:2}"; }
if ! ascr 65534 grep -q '^CapEff:.*[1-9a-f]' /proc/self/status 2>/dev/null; then
	n=$((n + 1)); echo "ok $n checkpoint_restore_cap_same_user # SKIP setpriv cannot keep an ambient capability"
else
	ascr 65534 "$CR" undo "$ndst" >"$TMP/out" 2>&1 ||
		why+=("same user with CAP_CHECKPOINT_RESTORE: $(cat "$TMP/out")" \
		      "$(grep -E '^(Uid|Gid|Cap)' /proc/"$ndst"/status | tr '\n\t' '  ')")
	ascr 65533 "$CR" undo "$ndst" >"$TMP/out" 2>&1 &&
		why+=("another user with CAP_CHECKPOINT_RESTORE read the list")
	check "checkpoint_restore_cap_same_user"
fi
kill -9 "$ndst"; wait "$ndst" 2>/dev/null

# 9. nothing left behind
cleanup
why=()
[ "$(nobjs)" = 0 ] || why+=("$(nobjs) objects left")
[ "$(cat /sys/module/sysvipc/refcnt)" = 0 ] || why+=("refcnt $(cat /sys/module/sysvipc/refcnt)")
check "cr_clean_after"
rm -rf "$TMP"
