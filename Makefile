# SPDX-License-Identifier: GPL-2.0
# sysvipc top-level Makefile.
#
#   make / make all   module (W=1 + sparse, warnings are errors), library, tools, selftests
#   make lint         checkpatch --strict over the module and the uapi header
#   make check        deps + all + lint, then the selftests in a QEMU VM; the last
#                     output line is "N passed, M failed, K skipped"
#   make deps         install the Debian packages the build and the VM need (root)
#   make vm           interactive shell in the VM, module loaded, tree mounted
#   make demo         run tools/demo/run.sh in the VM (module loaded)
#   make vm-run SCRIPT=path [ARGS=...]  run any script in the VM, module loaded
#   make bench [QUICK=1]  benchmarks in the VM, kernel vs sysvipc (README.md, Performance);
#                     bench-quick = make bench QUICK=1 (short; ~4-6 min)
#   make fuzz [CALLS=N SEED=N THREADS=N PROCS=N]  ioctl fuzzer in the VM (tools/fuzz)
#   make fuzz-debug [CALLS_DEBUG=N CHUNK=N]  long fuzz run on the debug kernel, in checked chunks
#   make check-debug  the selftests, a fuzz run, fault injection and a kmemleak
#                     scan on a debug kernel (KASAN, lockdep, ...; tools/debug)
#   make install / uninstall / dkms-install   (DESTDIR, PREFIX)
#   make check-install / check-dkms   host-side checks (also part of make check)
#   make clean
#
# KVER selects the kernel (default: newest /lib/modules/6.1.*-amd64 that has a
# build dir and a /boot/vmlinuz). Caches (kernel source for checkpatch and
# kselftest headers, VM initramfs, console logs) live in
# ${XDG_CACHE_HOME:-~/.cache}/sysvipc.

MAKEFLAGS += --no-print-directory
.SILENT:
SHELL := /bin/bash

newest_kver = $(firstword $(foreach d,$(shell ls -d /lib/modules/6.1.*-amd64 2>/dev/null | sort -V -r),\
	$(if $(and $(wildcard $(d)/build),$(wildcard /boot/vmlinuz-$(notdir $(d)))),$(notdir $(d)))))
# Empty counts as unset: a make started before `make deps` installed the
# headers exports KVER= to the makes it runs after.
ifeq ($(strip $(KVER)),)
KVER     = $(newest_kver)
endif
KDIR    ?= /lib/modules/$(KVER)/build
CACHE   ?= $(or $(SYSVIPC_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/sysvipc)
SRCTAR  ?= /usr/src/linux-source-6.1.tar.xz
KSRC    := $(CACHE)/linux-source-6.1
PREFIX  ?= /usr/local
DESTDIR ?=
export KVER
export SYSVIPC_CACHE := $(CACHE)

BUILD   := $(CURDIR)/build
VMRUN   := $(CURDIR)/tools/vm/run.sh

PACKAGES := linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static \
	linux-source-6.1 liburing-dev sparse cpio kmod dkms build-essential gcc make perl python3 \
	stress-ng gnuplot-nox postgresql-15 procps criu iproute2 util-linux
# What building the debug kernel needs besides (check-debug, fuzz-debug only).
DEBUG_PACKAGES := flex bison bc libelf-dev libssl-dev

.PHONY: all module lib tools selftests lint check deps deps-debug vm demo vm-run clean \
	install install-files uninstall dkms-install criu-plugin check-install check-dkms bench bench-quick fuzzer fuzz fuzz-debug check-debug debug-kernel

all: module lib tools criu-plugin selftests fuzzer

# --- CRIU plugin (tools/criu; <criu/criu-plugin.h> from Debian's criu) ----------
criu-plugin:
	$(MAKE) -s -C tools/criu

# --- kernel module ---------------------------------------------------------
# W=1 and C=2 (sparse over every file); any gcc or sparse warning in our files
# (or a modpost warning about our module) fails the build, and removes the
# objects so the next make compiles (and warns) again.
module:
	[ -n "$(KVER)" ] && [ -d "$(KDIR)" ] || { echo "no kernel build dir for KVER='$(KVER)' (make deps)"; exit 1; }
	mkdir -p $(BUILD)
	echo "  KBUILD  sysvipc.ko ($(KVER), W=1 C=2)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules >$(BUILD)/kbuild.log 2>&1; rc=$$?; \
	grep -vE '^make(\[[0-9]+\])?: (Entering|Leaving) directory' $(BUILD)/kbuild.log | sed 's/^/    /'; \
	bad=$$(grep -E '(warning|error):|^WARNING:|^ERROR:' $(BUILD)/kbuild.log | \
		grep -E '^$(CURDIR)/|^(kmod|uapi)/|sysvipc|^ERROR:'); \
	if [ -n "$$bad" ]; then echo "module: warnings or errors in our files (W=1 / sparse / modpost):"; \
		echo "$$bad" | sed 's/^/  /'; rm -f sysvipc.ko kmod/*.o; exit 1; fi; \
	[ $$rc = 0 ] || { echo "module: kbuild failed (log: $(BUILD)/kbuild.log)"; exit 1; }

# --- library ------------------------------------------------------------------
lib:
	$(MAKE) -C libsysvipc

# --- tools: tools/Makefile if there is one, else every tools/*.c ----------------
TOOL_SRCS := $(wildcard tools/*.c)
tools: lib
ifneq ($(wildcard tools/Makefile),)
	$(MAKE) -C tools
else ifneq ($(TOOL_SRCS),)
	mkdir -p $(BUILD)/tools
	for s in $(TOOL_SRCS); do n=$$(basename $$s .c); \
		echo "  CC      build/tools/$$n"; \
		gcc -Wall -Wextra -O2 -g -Iuapi -Ilibsysvipc/include -o $(BUILD)/tools/$$n $$s -lpthread || exit 1; \
	done
endif

# --- ioctl fuzzer (raw ioctls; needs only the uapi header) ---------------------
FUZZER := $(BUILD)/fuzz/sysvipc-fuzz
fuzzer: $(FUZZER)
$(FUZZER): tools/fuzz/sysvipc-fuzz.c uapi/linux/sysvipc.h
	mkdir -p $(dir $@)
	echo "  CC      build/fuzz/sysvipc-fuzz"
	gcc -Wall -Wextra -Werror -O2 -g -Iuapi -o $@ $< -lpthread

# long runs: make fuzz CALLS=10000000 SEED=42 (VM timeout scales with CALLS)
CALLS   ?= 1000000
SEED    ?= 1
THREADS ?= 4
PROCS   ?= 2
fuzz: all
	$(VMRUN) -t $$(( 600 + $(CALLS) / 1000 )) -m $(CURDIR)/sysvipc.ko /bin/bash $(CURDIR)/tools/fuzz/run.sh \
		--calls $(CALLS) --seed $(SEED) --threads $(THREADS) --procs $(PROCS)

# --- debug kernel: built once into the cache (tools/debug/kernel.sh) -------------
debug-kernel: deps-debug
	$(CURDIR)/tools/debug/kernel.sh

# the long debug-kernel fuzz run (issue 9): make fuzz-debug [CALLS_DEBUG=N CHUNK=N SEED_DEBUG=N]
fuzz-debug: deps-debug all
	CALLS=$(CALLS_DEBUG) CHUNK=$(CHUNK) SEED=$(SEED_DEBUG) THREADS=$(THREADS) PROCS=$(PROCS) \
		$(CURDIR)/tools/debug/fuzz-debug.sh
CALLS_DEBUG ?= 10000000
CHUNK       ?= 500000
SEED_DEBUG  ?= 1000

# Last line "N passed, M failed[, K skipped]" as for check; not part of check.
check-debug: deps-debug
	+MAKE="$(MAKE)" $(CURDIR)/tools/debug/check-debug.sh || { [ -n "$(CHECK_PLAIN_EXIT)" ] && exit 1; kill -PIPE $$PPID; }

# --- selftests ------------------------------------------------------------------
selftests: lib
	$(MAKE) -C selftests CACHE=$(CACHE) SRCTAR=$(SRCTAR)

# --- lint: checkpatch from Debian's 6.1 source, extracted once into the cache -----
# What is ignored, and why (everything else, including CHECKs, fails):
#  - uapi header: BIT_MACRO. BIT()/BIT_ULL() come from linux/bits.h, which is
#    not exported to userspace, so a uapi header cannot use them.
#  - kmod/compat.h only: LINUX_VERSION_CODE (an out-of-tree module must build
#    on several kernels; compat.h is the one file for version tests, see
#    DESIGN.md) and CONSTANT_COMPARISON (checkpatch takes LINUX_VERSION_CODE in
#    "LINUX_VERSION_CODE >= KERNEL_VERSION(...)" for a constant on the left).
#    Version tests anywhere else still fail.
# --no-tree: we are not inside a kernel tree; -f: files, not patches.
LINT_COMPAT := $(wildcard kmod/compat.h)
LINT_KMOD   := $(filter-out $(LINT_COMPAT),$(wildcard kmod/*.c kmod/*.h))
LINT_UAPI   := uapi/linux/sysvipc.h
CHECKPATCH = $(KSRC)/scripts/checkpatch.pl --strict --no-tree --show-types --quiet --no-summary -f
lint: $(KSRC)/scripts/checkpatch.pl
	echo "  LINT    checkpatch --strict $(LINT_KMOD) $(LINT_COMPAT) $(LINT_UAPI)"
	out=$$( { $(CHECKPATCH) $(LINT_KMOD); \
		$(if $(LINT_COMPAT),$(CHECKPATCH) --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON $(LINT_COMPAT);) \
		$(CHECKPATCH) --ignore BIT_MACRO $(LINT_UAPI); } 2>&1); \
	if echo "$$out" | grep -qE '^(ERROR|WARNING|CHECK)'; then echo "$$out"; \
		echo "lint: checkpatch found problems"; exit 1; fi

$(KSRC)/scripts/checkpatch.pl:
	[ -r $(SRCTAR) ] || { echo "missing $(SRCTAR) (make deps)"; exit 1; }
	echo "  EXTRACT $(SRCTAR) -> $(CACHE)"
	mkdir -p $(CACHE); tmp=$$(mktemp -d $(CACHE)/src.XXXXXX) && \
	tar xf $(SRCTAR) -C $$tmp && rm -rf $(KSRC) && mv $$tmp/linux-source-6.1 $(KSRC) && rmdir $$tmp

# --- deps --------------------------------------------------------------------------
deps-debug: deps
	$(MAKE) deps PACKAGES="$(DEBUG_PACKAGES)"

deps:
	missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS    installing:" $$missing; \
		[ "$$(id -u)" = 0 ] || { echo "deps: run as root to install:" $$missing; exit 1; }; \
		export DEBIAN_FRONTEND=noninteractive; \
		[ -e /etc/postgresql-common/createcluster.conf ] || { \
			mkdir -p /etc/postgresql-common; \
			echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf; }; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold $$missing || exit 1; \
	fi; \
	kver=$${KVER:-$$(for d in $$(ls -d /lib/modules/6.1.*-amd64 2>/dev/null | sort -V -r); do \
		[ -d $$d/build ] && [ -r /boot/vmlinuz-$${d##*/} ] && { echo $${d##*/}; break; }; done)}; \
	[ -n "$$kver" ] || { echo "deps: no /lib/modules/6.1.*-amd64 with build/ and /boot/vmlinuz"; exit 1; }

# --- check: one command, verdict on the last line -----------------------------------
# tools/vm/check.sh prints "N passed, M failed[, K skipped]" as its last line.
# On failure GNU make would print "make: *** [Makefile:..: check] Error 1"
# after it; to keep the verdict last, the recipe then ends this make with
# SIGPIPE (which neither make nor the shell report): exit status 141.
# CHECK_PLAIN_EXIT=1 gives the ordinary behaviour (Error line, status 2).
check:
	+MAKE="$(MAKE)" $(CURDIR)/tools/vm/check.sh || { [ -n "$(CHECK_PLAIN_EXIT)" ] && exit 1; kill -PIPE $$PPID; }

# --- VM -----------------------------------------------------------------------------
vm: module lib
	$(VMRUN) -i -m $(CURDIR)/sysvipc.ko /bin/bash -l

DEMO ?= tools/demo/run.sh
# The demo program, linked against the library so its objects live in the module.
$(BUILD)/demo/matmul: tools/demo/matmul.c lib
	mkdir -p $(dir $@)
	echo "  CC      build/demo/matmul"
	gcc -Wall -Wextra -O2 -g -o $@ $< -Llibsysvipc -lsysvipc -Wl,-rpath,$(CURDIR)/libsysvipc

demo: all $(BUILD)/demo/matmul
	[ -e "$(DEMO)" ] || { echo "demo: $(DEMO) does not exist yet"; exit 1; }
	$(VMRUN) -m $(CURDIR)/sysvipc.ko /bin/sh $(CURDIR)/$(DEMO)

vm-run: all
	[ -n "$(SCRIPT)" ] || { echo "usage: make vm-run SCRIPT=path/in/tree [ARGS='...']"; exit 1; }
	$(VMRUN) -m $(CURDIR)/sysvipc.ko /bin/sh $(abspath $(SCRIPT)) $(ARGS)

# --- bench: drivers in build/bench, run in the VM by bench/run.sh ---------------------
BENCH_SRCS := $(wildcard bench/bench_*.c) bench/uring_msg.c
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
$(BUILD)/bench/%: bench/%.c bench/common.h uapi/linux/sysvipc.h
	mkdir -p $(dir $@)
	echo "  CC      build/bench/$*"
	gcc -Wall -Wextra -O2 -g -D_GNU_SOURCE -Iuapi -o $@ $< \
		$(if $(filter uring_msg,$*),-luring -ldl)

bench: deps all $(BENCH_BINS)
	$(CURDIR)/bench/run.sh $(if $(QUICK),quick)

bench-quick:
	$(MAKE) bench QUICK=1

# --- install ---------------------------------------------------------------------------
# make install [DESTDIR=...] [PREFIX=/usr/local] [BINDIR= LIBDIR= INCLUDEDIR= MANDIR=
#              DOCDIR= MODDIR= UDEVRULESDIR=]
# The module goes to /lib/modules/$(KVER)/updates and the udev rule to
# /usr/lib/udev/rules.d whatever PREFIX is (those are the only places modprobe
# and udev look); everything else under PREFIX. Without DESTDIR, depmod,
# ldconfig and a udev rule reload follow. modules-load.d/sysvipc.conf is
# installed as an example only (DOCDIR/examples): copy it to
# /etc/modules-load.d/ to load the module at boot. `make uninstall` with the
# same variables removes every file install made.
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
DOCDIR       ?= $(PREFIX)/share/doc/sysvipc
MODDIR       ?= /lib/modules/$(KVER)/updates
UDEVRULESDIR ?= /usr/lib/udev/rules.d
CRIU_PLUGINDIR ?= /usr/lib/criu
INSTALL_VARS := PREFIX=$(PREFIX) BINDIR=$(BINDIR) LIBDIR=$(LIBDIR) \
	INCLUDEDIR=$(INCLUDEDIR) DESTDIR=$(DESTDIR)
MAN1 := sysvipc-ipcs.1 sysvipc-ipcrm.1 sysvipc-ipcmk.1 sysvipc-cr.1
MAN3 := libsysvipc.3
MAN3_LINKS := sysvipc_active.3 sysvipc_version.3
MAN7 := sysvipc.7

install: module lib tools
	$(MAKE) install-files

# install without rebuilding (what `make check` uses after `make all`)
install-files:
	[ -f sysvipc.ko ] || { echo "install: sysvipc.ko not built (make module)"; exit 1; }
	echo "  INSTALL $(DESTDIR) (PREFIX=$(PREFIX), module $(MODDIR))"
	install -D -m 644 sysvipc.ko $(DESTDIR)$(MODDIR)/sysvipc.ko
	install -D -m 644 dist/60-sysvipc.rules $(DESTDIR)$(UDEVRULESDIR)/60-sysvipc.rules
	install -D -m 644 dist/sysvipc-modules-load.conf \
		$(DESTDIR)$(DOCDIR)/examples/modules-load.d/sysvipc.conf
	install -D -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(MAKE) -C libsysvipc install $(INSTALL_VARS) >/dev/null
	$(MAKE) -C tools install $(INSTALL_VARS) >/dev/null
	$(MAKE) -C tools/criu install $(INSTALL_VARS) CRIU_PLUGINDIR=$(CRIU_PLUGINDIR) >/dev/null
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	install -m 644 $(addprefix man/,$(MAN1)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(addprefix man/,$(MAN3)) $(DESTDIR)$(MANDIR)/man3/
	for l in $(MAN3_LINKS); do echo ".so man3/libsysvipc.3" >$(DESTDIR)$(MANDIR)/man3/$$l; done
	install -m 644 $(addprefix man/,$(MAN7)) $(DESTDIR)$(MANDIR)/man7/
	[ -n "$(DESTDIR)" ] || { depmod -a $(KVER); ldconfig; \
		! command -v udevadm >/dev/null || udevadm control --reload-rules 2>/dev/null || true; }

uninstall:
	echo "  UNINSTALL $(DESTDIR) (PREFIX=$(PREFIX), module $(MODDIR))"
	rm -f $(DESTDIR)$(MODDIR)/sysvipc.ko $(DESTDIR)$(UDEVRULESDIR)/60-sysvipc.rules \
		$(DESTDIR)$(DOCDIR)/examples/modules-load.d/sysvipc.conf $(DESTDIR)$(DOCDIR)/README.md \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(MAN1)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(MAN3) $(MAN3_LINKS)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man7/,$(MAN7))
	for d in examples/modules-load.d examples .; do \
		rmdir $(DESTDIR)$(DOCDIR)/$$d 2>/dev/null || true; done
	$(MAKE) -C libsysvipc uninstall $(INSTALL_VARS) >/dev/null
	$(MAKE) -C tools uninstall $(INSTALL_VARS) >/dev/null
	$(MAKE) -C tools/criu uninstall $(INSTALL_VARS) CRIU_PLUGINDIR=$(CRIU_PLUGINDIR) >/dev/null
	[ -n "$(DESTDIR)" ] || { depmod -a $(KVER); ldconfig; }

# Host-side checks of the install, the man pages, pkg-config and DKMS; each
# prints "ok"/"not ok" lines and "host: N passed, M failed" (make check runs
# them all and counts them).
check-install: lib tools
	$(CURDIR)/tools/check-host.sh install man pkgconfig

# dkms add/build/install into a scratch tree (--dkmstree, --sourcetree,
# --installtree), against $(KVER)'s headers; the VM part of make check loads
# the module it built.
check-dkms:
	$(CURDIR)/tools/check-host.sh dkms

# register the source tree with DKMS (rebuilds the module for new kernels)
dkms-install:
	rm -rf /usr/src/sysvipc-0.1 && mkdir -p /usr/src/sysvipc-0.1
	cp -r Kbuild dkms.conf kmod uapi /usr/src/sysvipc-0.1/
	$(MAKE) -C $(KDIR) M=/usr/src/sysvipc-0.1 clean >/dev/null
	dkms remove sysvipc/0.1 --all >/dev/null 2>&1 || true
	dkms add sysvipc/0.1 && dkms build sysvipc/0.1 -k $(KVER) && dkms install sysvipc/0.1 -k $(KVER)

clean:
	[ ! -d "$(KDIR)" ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null
	[ ! -f libsysvipc/Makefile ] || $(MAKE) -C libsysvipc clean
	[ ! -f tools/Makefile ] || $(MAKE) -C tools clean
	$(MAKE) -C tools/criu clean
	$(MAKE) -C selftests clean
	rm -rf $(BUILD)
