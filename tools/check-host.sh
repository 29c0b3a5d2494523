#!/bin/bash
# Host-side checks, run by `make check` before the VM (and by
# `make check-install` / `make check-dkms`):
#   install    make install-files into a scratch DESTDIR (PREFIX=/usr): exactly
#              the expected files, library symlinks and soname, installed tools
#              run; make uninstall leaves no file behind
#   man        every man page renders with groff -ww and `man -l --warnings`
#              without a warning
#   pkgconfig  a small program compiled with pkg-config against the DESTDIR
#              library, linked and run
#   dkms       dkms add/build/install against $KVER's headers into a scratch
#              tree (--dkmstree/--sourcetree/--installtree, --no-depmod); the
#              built module is left in $SYSVIPC_DKMS_OUT (if set) for the VM
# usage: tools/check-host.sh [install] [man] [pkgconfig] [dkms]   (none: all)
# Prints "ok - what" / "not ok - what" lines and, last, "host: N passed, M failed";
# exit status 1 if anything failed.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
MAKE=${MAKE:-make}
KVER=${KVER:-$(for d in $(ls -d /lib/modules/6.1.*-amd64 2>/dev/null | sort -V -r); do
	[ -d "$d/build" ] && [ -r "/boot/vmlinuz-${d##*/}" ] && { echo "${d##*/}"; break; }; done)}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
nok() { failed=$((failed + 1)); echo "not ok - $1"; [ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/#   /'; }
check() { # check WHAT CMD...: one case, its output shown on failure
	local what=$1 out; shift
	if out=$("$@" 2>&1); then ok "$what"; else nok "$what" "$out"; fi
}
SCRATCH=$(mktemp -d /tmp/sysvipc-check.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
D=$SCRATCH/destdir

# the library's version and public headers as libsysvipc/Makefile has them
LIBVER=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' libsysvipc/Makefile)
HEADERS=$(cd libsysvipc/include && ls *.h | sed 's|^|usr/include/|')
EXPECTED=$(sort <<-LIST
lib/modules/$KVER/updates/sysvipc.ko
usr/bin/sysvipc-cr
usr/bin/sysvipc-ipcmk
usr/bin/sysvipc-ipcrm
usr/bin/sysvipc-ipcs
usr/include/linux/sysvipc.h
$HEADERS
usr/lib/criu/sysvipc_plugin.so
usr/lib/libsysvipc.so
usr/lib/libsysvipc.so.1
usr/lib/libsysvipc.so.$LIBVER
usr/lib/pkgconfig/libsysvipc.pc
usr/lib/udev/rules.d/60-sysvipc.rules
usr/share/doc/sysvipc/README.md
usr/share/doc/sysvipc/examples/modules-load.d/sysvipc.conf
usr/share/man/man1/sysvipc-cr.1
usr/share/man/man1/sysvipc-ipcmk.1
usr/share/man/man1/sysvipc-ipcrm.1
usr/share/man/man1/sysvipc-ipcs.1
usr/share/man/man3/libsysvipc.3
usr/share/man/man3/sysvipc_active.3
usr/share/man/man3/sysvipc_version.3
usr/share/man/man7/sysvipc.7
LIST
)

installed() { (cd "$D" 2>/dev/null && find . ! -type d | sed 's|^\./||' | sort); }

do_install() {
	local out
	rm -rf "$D"
	if ! out=$($MAKE -s install-files DESTDIR="$D" PREFIX=/usr KVER="$KVER" 2>&1); then
		nok "install: make install-files DESTDIR=... PREFIX=/usr" "$out"; return
	fi
	ok "install: make install-files DESTDIR=... PREFIX=/usr"
	check "install: exactly the expected files" diff -u <(echo "$EXPECTED") <(installed)
	check "install: libsysvipc.so -> libsysvipc.so.1 -> libsysvipc.so.$LIBVER" \
		test "$(readlink "$D/usr/lib/libsysvipc.so")" = libsysvipc.so.1 -a \
		"$(readlink "$D/usr/lib/libsysvipc.so.1")" = "libsysvipc.so.$LIBVER"
	check "install: soname libsysvipc.so.1" \
		bash -c "objdump -p '$D/usr/lib/libsysvipc.so.$LIBVER' | grep -q 'SONAME *libsysvipc.so.1$'"
	check "install: the CRIU plugin runs the installed sysvipc-cr" \
		grep -qa '/usr/bin/sysvipc-cr' "$D/usr/lib/criu/sysvipc_plugin.so"
	check "install: pkg-config file points at PREFIX=/usr" \
		grep -qx 'prefix=/usr' "$D/usr/lib/pkgconfig/libsysvipc.pc"
	check "install: udev rule gives /dev/sysvipc mode 0666" \
		grep -q 'KERNEL=="sysvipc".*MODE="0666"' "$D/usr/lib/udev/rules.d/60-sysvipc.rules"
	check "install: the installed module is this build's" cmp sysvipc.ko "$D/lib/modules/$KVER/updates/sysvipc.ko"
	for t in ipcs ipcrm ipcmk; do
		check "install: installed sysvipc-$t runs (--version, --help)" bash -c \
			"LD_LIBRARY_PATH='$D/usr/lib' '$D/usr/bin/sysvipc-$t' --version | grep -q '^sysvipc-$t from sysvipc' &&
			 LD_LIBRARY_PATH='$D/usr/lib' '$D/usr/bin/sysvipc-$t' --help | grep -q 'sysvipc-$t(1)'"
	done
}

do_uninstall() {
	local out
	if ! out=$($MAKE -s uninstall DESTDIR="$D" PREFIX=/usr KVER="$KVER" 2>&1); then
		nok "uninstall: make uninstall DESTDIR=... PREFIX=/usr" "$out"; return
	fi
	check "uninstall: no installed file left" test -z "$(installed)"
}

do_man() {
	local f out
	for f in man/*.[1-9]; do
		out=$( { groff -ww -z -man "$f"; MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$f" >/dev/null; } 2>&1)
		if [ -z "$out" ]; then ok "man: $f renders without warnings"; else nok "man: $f renders without warnings" "$out"; fi
	done
}

do_pkgconfig() {
	local out
	[ -f "$D/usr/lib/pkgconfig/libsysvipc.pc" ] || $MAKE -s install-files DESTDIR="$D" PREFIX=/usr KVER="$KVER" >/dev/null 2>&1
	cat >"$SCRATCH/pc.c" <<-'C'
	#include <stdio.h>
	#include <sysvipc.h>
	int main(void)
	{
		struct shmid_ds ds;
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

		if (id < 0 || shmctl(id, IPC_STAT, &ds) || ds.shm_segsz != 4096 ||
		    shmctl(id, IPC_RMID, NULL))
			return 1;
		printf("active=%d\n", sysvipc_active());
		return 0;
	}
	C
	export PKG_CONFIG_SYSROOT_DIR=$D PKG_CONFIG_LIBDIR=$D/usr/lib/pkgconfig
	if out=$(gcc -Wall -Werror -o "$SCRATCH/pc" "$SCRATCH/pc.c" $(pkg-config --cflags --libs libsysvipc) 2>&1); then
		ok "pkgconfig: compile and link against the DESTDIR library"
		check "pkgconfig: the program runs on the installed library" bash -c \
			"LD_LIBRARY_PATH='$D/usr/lib' '$SCRATCH/pc' | grep -q '^active=[01]$' &&
			 LD_LIBRARY_PATH='$D/usr/lib' ldd '$SCRATCH/pc' | grep -q '$D/usr/lib/libsysvipc.so.1'"
	else
		nok "pkgconfig: compile and link against the DESTDIR library" "$out"
	fi
	unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR
}

do_dkms() {
	local S=$SCRATCH/dkms ver out ko
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
	command -v dkms >/dev/null || { nok "dkms: dkms installed (make deps)"; return; }
	mkdir -p "$S/src/sysvipc-$ver" "$S/tree" "$S/lib/modules/$KVER"
	cp -r Kbuild dkms.conf kmod uapi "$S/src/sysvipc-$ver/"
	rm -f "$S/src/sysvipc-$ver"/kmod/*.o "$S/src/sysvipc-$ver"/kmod/.*.cmd
	local opts=(--dkmstree "$S/tree" --sourcetree "$S/src" --installtree "$S/lib/modules")
	for step in add build install; do
		local extra=()
		[ $step = add ] || extra=(-k "$KVER")
		[ $step = install ] && extra+=(--no-depmod)
		if ! out=$(dkms $step "sysvipc/$ver" "${extra[@]}" "${opts[@]}" 2>&1); then
			nok "dkms: $step into a scratch tree" "$out"; return
		fi
		ok "dkms: $step into a scratch tree"
	done
	ko=$(find "$S/lib/modules/$KVER" -name 'sysvipc.ko*' | head -1)
	check "dkms: module installed under the scratch installtree/$KVER" test -n "$ko"
	check "dkms: built for $KVER" bash -c "modinfo -F vermagic '$ko' | grep -q '^$KVER '"
	if [ -n "$ko" ] && [ -n "${SYSVIPC_DKMS_OUT:-}" ]; then
		mkdir -p "$(dirname "$SYSVIPC_DKMS_OUT")" && cp "$ko" "$SYSVIPC_DKMS_OUT"
	fi
}

groups=${*:-install man pkgconfig dkms}
for g in $groups; do
	case $g in
	install) do_install ;;
	man) do_man ;;
	pkgconfig) do_pkgconfig ;;
	dkms) do_dkms ;;
	*) nok "unknown check group $g" ;;
	esac
done
case " $groups " in *" install "*) do_uninstall ;; esac
echo "host: $passed passed, $failed failed"
[ "$failed" = 0 ]
