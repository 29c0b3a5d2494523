#!/bin/sh
# PLACEHOLDER demo (the lead replaces it): runs in the VM via `make demo`, with
# sysvipc.ko already loaded. Unmodified util-linux tools use the module
# through LD_PRELOAD=libsysvipc.so.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LIB=$TOP/libsysvipc/libsysvipc.so
set -e
ls -l /dev/sysvipc
echo "kernel queue created by ipcmk (no preload):"
ipcmk -Q
echo "sysvipc queue created by ipcmk under LD_PRELOAD:"
out=$(LD_PRELOAD=$LIB ipcmk -Q); echo "$out"
id=${out##* }
LD_PRELOAD=$LIB ipcrm -q "$id" && echo "removed sysvipc queue $id through the library"
