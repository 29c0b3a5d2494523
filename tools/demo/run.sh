#!/bin/sh
# make demo: runs in the VM with sysvipc.ko loaded.
# Two unrelated workers and a coordinator, started separately, meet by key
# and multiply matrices through a segment, a semaphore and a queue that
# live in the module; meanwhile the objects are listed.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/build/demo/matmul
LIB=$TOP/libsysvipc/libsysvipc.so
KEYFILE=/tmp/matmul.key
set -e
touch $KEYFILE
echo "== /dev/sysvipc"
ls -l /dev/sysvipc
echo "== two workers start first and wait for the objects"
$BIN worker $KEYFILE & w1=$!
$BIN worker $KEYFILE & w2=$!
echo "== the coordinator creates them and hands out rows"
MATMUL_PAUSE=2 $BIN coordinator $KEYFILE 300 2 &
c=$!
sleep 1
echo "== the objects, as sysvipc-ipcs lists them"
"$TOP/build/tools/sysvipc-ipcs"
echo "== and as the unmodified util-linux ipcs does under LD_PRELOAD"
LD_PRELOAD=$LIB ipcs -m
echo "== while the kernel's own SysV IPC has none of them"
ipcs -m
wait $c
wait $w1 $w2
echo "== after the coordinator removed them"
"$TOP/build/tools/sysvipc-ipcs"
