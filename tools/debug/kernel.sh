#!/bin/bash
# Build (once) the sysvipc debug kernel and print its build directory.
#
# usage: tools/debug/kernel.sh [-q]
#   Extracts Debian's linux-source-6.1 tarball into the cache (its own copy,
#   never the lint step's tree), configures `tinyconfig` + tools/debug/debug.config,
#   checks that every option of the fragment survived, and builds bzImage and
#   modules with O= into $CACHE/debug-kernel/build-<hash>, where <hash> covers
#   the fragment, this script's BUILD_REV and the tarball's size and mtime.
#   A finished build is marked with .done and reused: only the first run pays.
#   Prints the build directory (arch/x86/boot/bzImage, Module.symvers) on stdout;
#   the build log goes to <build>/build.log. The build runs under `nice -n 19`
#   with -j$(nproc) (DEBUG_KERNEL_JOBS overrides).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_REV=1
SRCTAR=${SRCTAR:-/usr/src/linux-source-6.1.tar.xz}
CACHE=${SYSVIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sysvipc}
FRAG=$HERE/debug.config
JOBS=${DEBUG_KERNEL_JOBS:-$(nproc)}
QUIET=0; [ "${1:-}" = -q ] && QUIET=1
say() { [ "$QUIET" = 1 ] || echo "$@" >&2; }

[ -r "$SRCTAR" ] || { echo "debug-kernel: missing $SRCTAR (make deps)" >&2; exit 2; }
TARKEY=$(stat -c '%s-%Y' "$SRCTAR")
HASH=$( (cat "$FRAG"; echo "rev=$BUILD_REV tar=$TARKEY") | sha256sum | cut -c1-16)
BASE=$CACHE/debug-kernel
SRC=$BASE/src-$TARKEY/linux-source-6.1
OUT=$BASE/build-$HASH
mkdir -p "$BASE"
if [ -f "$OUT/.done" ] && [ -s "$OUT/arch/x86/boot/bzImage" ]; then
	echo "$OUT"; exit 0
fi
exec 9>"$BASE/.lock"
say "debug-kernel: waiting for the build lock ($BASE/.lock)"
flock 9
if [ -f "$OUT/.done" ] && [ -s "$OUT/arch/x86/boot/bzImage" ]; then
	echo "$OUT"; exit 0
fi
t0=$(date +%s)
if [ ! -f "$SRC/.extracted" ]; then
	say "debug-kernel: extracting $SRCTAR -> $BASE/src-$TARKEY"
	rm -rf "$BASE/src-$TARKEY"; mkdir -p "$BASE/src-$TARKEY"
	tar xf "$SRCTAR" -C "$BASE/src-$TARKEY"
	touch "$SRC/.extracted"
	# older extractions are no longer needed
	for d in "$BASE"/src-*; do [ "$d" = "$BASE/src-$TARKEY" ] || rm -rf "$d"; done
fi
# seed a new config's build from the last one: kbuild (fixdep) then only
# recompiles what the changed options touch
if [ ! -d "$OUT" ]; then
	prev=$(ls -1dt "$BASE"/build-* 2>/dev/null | head -1)
	if [ -n "$prev" ] && [ -f "$prev/.done" ]; then
		say "debug-kernel: starting from $prev"
		cp -a "$prev" "$OUT.tmp" && rm -f "$OUT.tmp/.done" "$OUT.tmp/.build-seconds" &&
			mv "$OUT.tmp" "$OUT"
	fi
fi
mkdir -p "$OUT"
LOG=$OUT/build.log
say "debug-kernel: configuring $OUT (log: $LOG)"
{
	rm -f "$OUT/.config"
	make -C "$SRC" O="$OUT" tinyconfig
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "$FRAG"
	make -C "$SRC" O="$OUT" olddefconfig
} >"$LOG" 2>&1 || { echo "debug-kernel: configuration failed (log: $LOG)" >&2; exit 1; }
# every line of the fragment must be in the final .config
bad=0
while IFS= read -r l; do
	case $l in '' | \#*) continue ;; esac
	k=${l%%=*} v=${l#*=}
	if [ "$v" = n ]; then
		grep -q "^$k=" "$OUT/.config" && { echo "debug-kernel: $k is set, wanted n" >&2; bad=1; }
	else
		grep -qxF "$k=$v" "$OUT/.config" || {
			echo "debug-kernel: wanted $k=$v, got: $(grep -E "^$k=|^# $k is not set" "$OUT/.config" || echo absent)" >&2; bad=1; }
	fi
done <"$FRAG"
[ "$bad" = 0 ] || { echo "debug-kernel: the config fragment did not apply (fix $FRAG)" >&2; exit 1; }
say "debug-kernel: building bzImage and modules with -j$JOBS (nice 19; ~20-40 min on 2 cores the first time)"
nice -n 19 make -C "$SRC" O="$OUT" -j"$JOBS" bzImage modules >>"$LOG" 2>&1 ||
	{ echo "debug-kernel: build failed (tail of $LOG):" >&2; tail -30 "$LOG" >&2; exit 1; }
echo "$(($(date +%s) - t0))" >"$OUT/.build-seconds"
touch "$OUT/.done"
say "debug-kernel: built in $(cat "$OUT/.build-seconds")s: $OUT"
# drop builds of older configs
for d in "$BASE"/build-*; do [ "$d" = "$OUT" ] || rm -rf "$d"; done
echo "$OUT"
