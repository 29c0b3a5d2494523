#!/bin/sh
# sysvipc VM runner (derived from the team's reference vm-run.sh).
#
# Boots Debian's stock kernel (/boot/vmlinuz-$KVER) under QEMU (software
# emulation is fine), with this machine's root mounted read-only over 9p under a
# tmpfs overlay, chroots into it and runs CMD as root in the current directory
# (so the source tree is visible at the same path), then powers off.
#
# usage: tools/vm/run.sh [-m MODULE.ko] [-w DIR] [-t SECS] [-o LOG] [-M MEM] [-q] [-i]
#                        [-k BZIMAGE [-K MODDIR]] [-a APPEND] CMD [ARGS...]
#   -m MOD   insmod MOD before CMD (a failed insmod is CMD's failure, status 99)
#   -w DIR   share DIR writable at the same path in the guest (results)
#   -t SECS  whole-VM timeout (default 900)
#   -o LOG   console log file (default: $CACHE/logs/vm-<date>-<pid>.log)
#   -M MEM   guest memory (default 2G)
#   -q       do not copy the console to stdout (log file only)
#   -i       interactive: CMD gets the serial console as its terminal
#            (Ctrl-A x quits QEMU)
#   -k IMG   boot this kernel image instead of /boot/vmlinuz-$KVER (e.g. the
#            debug kernel of tools/debug/kernel.sh)
#   -K DIR   with -k: take the initramfs modules (virtio, 9p, overlay) from
#            DIR (a lib/modules/<version> tree); without -K they must be
#            built in, and none are loaded
#   -a ARGS  more kernel command line
# SYSVIPC_* environment variables are exported to CMD in the guest.
# Exit status: CMD's exit status in the guest (125: the guest reported none,
# e.g. panic or timeout; 124: CMD succeeded but the console shows a kernel
# splat). VM_NOSCAN=1 skips the splat scan (the caller does its own).
# Cache: ${XDG_CACHE_HOME:-~/.cache}/sysvipc (initramfs keyed by KVER and by a
# hash of tools/vm/init and the module list below, so edits rebuild it).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
newest_kver() {
	for d in $(ls -d /lib/modules/6.1.*-amd64 2>/dev/null | sort -V -r); do
		k=${d##*/}
		[ -d "$d/build" ] && [ -r "/boot/vmlinuz-$k" ] && { echo "$k"; return; }
	done
}
KVER=${KVER:-$(newest_kver)}
[ -n "$KVER" ] || { echo "vm: no 6.1 kernel with headers and /boot/vmlinuz found (make deps)" >&2; exit 2; }
MOD= TMO=900 LOG= MEM=2G WDIR= QUIET=0 TTY=0 KIMG= KMODDIR= XAPPEND=
while getopts m:t:o:M:w:qik:K:a: o; do
	case $o in
	m) MOD=$(readlink -f "$OPTARG") ;;
	w) WDIR=$(readlink -f "$OPTARG") ;;
	t) TMO=$OPTARG ;;
	o) LOG=$OPTARG ;;
	M) MEM=$OPTARG ;;
	q) QUIET=1 ;;
	i) TTY=1 ;;
	k) KIMG=$(readlink -f "$OPTARG") ;;
	K) KMODDIR=$(readlink -f "$OPTARG") ;;
	a) XAPPEND=$OPTARG ;;
	*) sed -n '2,32p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,32p' "$0"; exit 2; }
CACHE=${SYSVIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sysvipc}
mkdir -p "$CACHE/logs" "$CACHE/vm"
if [ -z "$LOG" ]; then
	LOG=$CACHE/logs/vm-$(date +%Y%m%d-%H%M%S)-$$.log
	ls -1t "$CACHE"/logs/vm-*.log 2>/dev/null | tail -n +20 | xargs -r rm -f # keep 20
fi
mkdir -p "$(dirname "$LOG")"; : >"$LOG"
KERNEL=/boot/vmlinuz-$KVER MODDIR=/lib/modules/$KVER
if [ -n "$KIMG" ]; then
	KERNEL=$KIMG MODDIR=$KMODDIR
	KVER=custom-$(stat -c '%s-%Y' "$KERNEL" 2>/dev/null)
fi
[ -r "$KERNEL" ] || { echo "vm: missing $KERNEL (make deps)" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "vm: qemu-system-x86_64 missing (make deps)" >&2; exit 2; }

MODS="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay"
[ -n "$KIMG" ] && [ -z "$MODDIR" ] && MODS=	# all built in
KEY=$( (cat "$HERE/init"; echo "$MODS") | sha256sum | cut -c1-12)
INITRD=$CACHE/vm/initrd-$KVER-$KEY.cpio.gz
if [ ! -s "$INITRD" ]; then
	R=$(mktemp -d)
	mkdir -p "$R/bin" "$R/mods" "$R/proc" "$R/sys" "$R/dev" "$R/host" "$R/up" "$R/root"
	: >"$R/mods/order"
	cp /bin/busybox "$R/bin/busybox" || { echo "vm: /bin/busybox missing (busybox-static)" >&2; exit 2; }
	for m in $MODS; do
		f=$(find "$MODDIR" -name "$m.ko*" | head -1)
		[ -n "$f" ] || { echo "vm: module $m not found in $MODDIR" >&2; rm -rf "$R"; exit 2; }
		cp "$f" "$R/mods/"
		basename "$f" >>"$R/mods/order"
	done
	cp "$HERE/init" "$R/init"; chmod +x "$R/init"
	(cd "$R" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$INITRD.tmp.$$") && mv "$INITRD.tmp.$$" "$INITRD"
	rm -rf "$R"
	# drop initramfs images of older init scripts (for this kernel)
	for f in "$CACHE"/vm/initrd-"$KVER"-*.cpio.gz; do [ "$f" = "$INITRD" ] || rm -f "$f"; done
fi

# per-run directory on the host, read by the guest through the 9p root
RUN=$(mktemp -d "$CACHE/vm/run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo "cd $(q "$(pwd)") || exit 98"
	# SYSVIPC_* settings reach the guest (e.g. SYSVIPC_TESTS, SYSVIPC_TEST_TIMEOUT)
	for v in $(env | sed -n 's/^\(SYSVIPC_[A-Za-z0-9_]*\)=.*/\1/p'); do
		eval "echo \"export $v=\$(q \"\$$v\")\""
	done
	if [ "$TTY" = 1 ]; then
		echo "export TERM=$(q "${TERM:-vt100}")"
		r=$(stty size 2>/dev/null) && echo "stty rows ${r% *} cols ${r#* } 2>/dev/null"
	fi
	[ -n "$MOD" ] && echo "/sbin/insmod $(q "$MOD") || { echo 'vm: insmod $MOD failed'; exit 99; }"
	printf 'exec'; for a in "$@"; do printf ' %s' "$(q "$a")"; done; echo
} >"$RUN/cmd"

APPEND="console=ttyS0 panic=-1 oops=panic loglevel=5 vmrun=$RUN vmtty=$TTY${XAPPEND:+ $XAPPEND}"
set -- -m "$MEM" -smp 2 -no-reboot -display none -nic none \
	-kernel "$KERNEL" -initrd "$INITRD" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
[ -n "$WDIR" ] && { APPEND="$APPEND vmw=$WDIR"; set -- "$@" -virtfs "local,path=$WDIR,mount_tag=wdir,security_model=none"; }
if [ "$TTY" = 1 ]; then
	echo "vm: booting $KVER (Ctrl-A x quits QEMU; exit the shell to power off)"
	qemu-system-x86_64 "$@" -append "$APPEND" \
		-chardev "stdio,id=s0,mux=on,signal=off,logfile=$LOG" -serial chardev:s0 -mon chardev=s0
	qrc=$?
elif [ "$QUIET" = 1 ]; then
	timeout "$TMO" qemu-system-x86_64 "$@" -append "$APPEND" -serial "file:$LOG" -monitor none </dev/null >/dev/null 2>&1
	qrc=$?
else
	# console to stdout too, without the serial line's carriage returns
	{ timeout "$TMO" qemu-system-x86_64 "$@" -append "$APPEND" \
		-chardev "stdio,id=s0,signal=off,logfile=$LOG" -serial chardev:s0 -monitor none </dev/null
	  echo $? >"$RUN/qrc"; } | stdbuf -o0 tr -d '\r'
	qrc=$(cat "$RUN/qrc")
fi
rc=$(sed -n 's/.*VMRC=\([0-9][0-9]*\).*/\1/p' "$LOG" | tail -1)
if [ -z "$rc" ]; then
	[ "$qrc" = 124 ] && echo "vm: timed out after ${TMO}s" >&2
	echo "vm: guest reported no status (qemu rc=$qrc)" >&2
	rc=125
fi
if [ "${VM_NOSCAN:-0}" != 1 ] && [ "$TTY" != 1 ]; then
	if "$HERE/scan-console.sh" "$LOG"; then :; else [ "$rc" = 0 ] && rc=124; fi
fi
echo "vm: console log: $LOG"
exit "$rc"
