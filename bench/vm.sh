#!/bin/bash
# In-VM benchmark runner (started by bench/run.sh through tools/vm/run.sh, with
# sysvipc.ko loaded).
#
# usage: bench/vm.sh OUTDIR [quick]
# Runs every workload natively (glibc -> the kernel's SysV IPC, variant
# "kernel") and with LD_PRELOAD=libsysvipc.so SYSVIPC_FALLBACK=0 (variant
# "sysvipc"), the same binary both times, alternating which goes first, REPS
# repetitions each; POSIX alternatives run as variant "posix" in the same
# rounds. Appends one line per measurement to OUTDIR/raw.tsv:
#   family <TAB> workload <TAB> variant <TAB> rep <TAB> value <TAB> unit
# and failures to OUTDIR/failures. Exit status 1 if any measurement failed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$HERE")
OUT=$1
QUICK=${2:-}
BIN=${BENCH_BIN:-$TOP/build/bench}
LIB=$TOP/libsysvipc/libsysvipc.so.1
PGBIN=/usr/lib/postgresql/15/bin
mkdir -p "$OUT"
: >"$OUT/raw.tsv"; : >"$OUT/failures"
T0=$SECONDS

if [ "$QUICK" = quick ]; then
	REPS=3 S=1 FAULT_MIB=256 STRESS_T=1 PG_T=3 PG_REPS=2 SWEEP="2 8"
else
	REPS=5 S=4 FAULT_MIB=1024 STRESS_T=5 PG_T=15 PG_REPS=3 SWEEP="2 4 8"
fi
TMO=300 # per measurement

[ -c /dev/sysvipc ] || { echo "bench: /dev/sysvipc missing"; echo "no /dev/sysvipc" >"$OUT/failures"; exit 1; }
mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue 2>/dev/null
echo "== sysvipc benchmarks on $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print $2/1024 " MiB"}' /proc/meminfo), reps=$REPS${QUICK:+ (quick)}"

# one VARIANT FAMILY WORKLOAD REP CMD...: run one measurement, record it
one() {
	local v=$1 fam=$2 wl=$3 rep=$4 out rc val unit
	shift 4
	local env=(BENCH_VARIANT="$v")
	# io_uring variants (uring, uring-batch) run through the library too
	case $v in
	sysvipc) env+=(LD_PRELOAD="$LIB" SYSVIPC_FALLBACK=0) ;;
	uring*) env=(BENCH_VARIANT=sysvipc LD_PRELOAD="$LIB" SYSVIPC_FALLBACK=0) ;;
	esac
	out=$(cd /tmp && env "${env[@]}" timeout -k 5 "$TMO" "$@" 2>&1 </dev/null)
	rc=$?
	read -r val unit < <(echo "$out" | awk '$1 == "RESULT" { print $2, $3 }' | tail -1)
	if [ "$rc" != 0 ] || [ -z "${val:-}" ]; then
		printf 'FAIL\t%s\t%s\t%s\texit %s: %s\n' "$wl" "$v" "$rep" "$rc" "$(echo "$out" | tail -3 | tr '\n' ' ')" >>"$OUT/failures"
		printf '  %-24s %-8s rep %d  FAILED (exit %s)\n' "$wl" "$v" "$rep" "$rc"
		echo "$out" | tail -5 | sed 's/^/    | /'
		return 1
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$fam" "$wl" "$v" "$rep" "$val" "$unit" >>"$OUT/raw.tsv"
	printf '  [%4ds] %-24s %-8s rep %d  %12.6g %s\n' $((SECONDS - T0)) "$wl" "$v" "$rep" "$val" "$unit"
}

# wl FAMILY WORKLOAD CMD [-- POSIX_CMD]: kernel and sysvipc runs of CMD,
# alternating order, then POSIX_CMD (if given) in the same round.
wl() {
	local fam=$1 name=$2 r
	shift 2
	local cmd=() pcmd=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cmd+=("$1"); shift; done
	[ $# -gt 0 ] && { shift; pcmd=("$@"); }
	for r in $(seq "$REPS"); do
		if [ $((r % 2)) = 1 ]; then
			one kernel "$fam" "$name" "$r" "${cmd[@]}"; one sysvipc "$fam" "$name" "$r" "${cmd[@]}"
		else
			one sysvipc "$fam" "$name" "$r" "${cmd[@]}"; one kernel "$fam" "$name" "$r" "${cmd[@]}"
		fi
		[ ${#pcmd[@]} -gt 0 ] && one posix "$fam" "$name" "$r" "${pcmd[@]}"
	done
}

echo "== entry cost: kernel = getppid syscall, sysvipc = SYSVIPC_IOC_VERSION ioctl"
for r in $(seq "$REPS"); do
	one kernel entry noop "$r" "$BIN/bench_null" getppid $((200000 * S))
	one sysvipc entry noop "$r" "$BIN/bench_null" ioctl $((200000 * S))
done

echo "== semaphores"
wl sem sem-uncontended "$BIN/bench_sem" uncontended $((50000 * S))
wl sem sem-uncontended-undo "$BIN/bench_sem" uncontended $((50000 * S)) undo
wl sem sem-pingpong "$BIN/bench_sem" pingpong $((10000 * S)) 1 -- "$BIN/bench_sem" posix $((10000 * S)) 1

echo "== message queues"
wl msg msg-pingpong-64 "$BIN/bench_msg" pingpong $((10000 * S)) 64 -- "$BIN/bench_msg" mq $((10000 * S)) 64
wl msg msg-pingpong-8k "$BIN/bench_msg" pingpong $((5000 * S)) 8192 -- "$BIN/bench_msg" mq $((5000 * S)) 8192
wl msg msg-stream-64 "$BIN/bench_msg" stream $((50000 * S)) 64 1
wl msg msg-stream-8k "$BIN/bench_msg" stream $((10000 * S)) 8192 1

echo "== message receive: drain a pre-filled queue (msgrcv loops, io_uring reads, io_uring batch reads)"
# bench/uring_msg.c: the receiver fills the queue with 8192 messages
# (untimed), then receives them (timed), until N; only receiving counts.
for r in $(seq "$REPS"); do
	vs="kernel sysvipc uring uring-batch"
	[ $((r % 2)) = 0 ] && vs="uring-batch uring sysvipc kernel"
	for v in $vs; do
		case $v in
		uring) rc=(uring $((100000 * S)) 64 64) ;;
		uring-batch) rc=(batch $((100000 * S)) 64 4 65536) ;;
		*) rc=(loop $((100000 * S)) 64) ;;
		esac
		one "$v" msg-uring msg-drain-64 "$r" "$BIN/uring_msg" drain "${rc[@]}"
	done
done

echo "== shared memory"
wl shm shm-attach "$BIN/bench_shm" attach $((10000 * S))
# one untimed pass each first: the first fill of fresh guest memory is slower
one kernel warmup warmup 0 "$BIN/bench_shm" fault "$FAULT_MIB" >/dev/null
one sysvipc warmup warmup 0 "$BIN/bench_shm" fault "$FAULT_MIB" >/dev/null
sed -i '/^warmup\t/d' "$OUT/raw.tsv"
wl shm shm-fault "$BIN/bench_shm" fault "$FAULT_MIB"

echo "== scaling: $SWEEP pairs of processes, same total work (1 pair is sem-pingpong / msg-stream-64)"
for p in $SWEEP; do
	wl sem-scaling "sem-pingpong-x$p" "$BIN/bench_sem" pingpong $((10000 * S / p)) "$p" -- \
		"$BIN/bench_sem" posix $((10000 * S / p)) "$p"
done
for p in $SWEEP; do
	wl msg-scaling "msg-stream-64-x$p" "$BIN/bench_msg" stream $((50000 * S / p)) 64 "$p"
done

echo "== stress-ng (${STRESS_T}s per run, 2 instances)"
# stressng STRESSOR: prints RESULT <bogo ops/s (real time)> bogo-ops/s.
# Through libsysvipc the kernel's /proc/sysvipc/<kind> must stay empty while
# it runs (sampled every 0.3 s), so a stressor that bypasses the library fails.
stressng() {
	local kind=${1%-sysv} o pid n bad=0
	o=$(mktemp)
	stress-ng --"$1" 2 -t "$STRESS_T" --metrics-brief --temp-path /tmp >"$o" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		# Without the library: under LD_PRELOAD it redirects this path to
		# the module's own status file.
		n=$(env -u LD_PRELOAD grep -c . "/proc/sysvipc/$kind")
		[ "$BENCH_VARIANT" = sysvipc ] && [ "$n" -gt 1 ] && bad=1
		sleep 0.3
	done
	wait "$pid" || { cat "$o"; rm -f "$o"; return 1; }
	[ "$bad" = 0 ] || { echo "kernel $kind objects appeared during the libsysvipc run"; return 1; }
	awk -v s="$1" '$2 == "metrc:" && $4 == s && $5 ~ /^[0-9]+$/ {
		if ($5 == 0) { print "no bogo ops"; exit 1 } print "RESULT", $9, "bogo-ops/s"; f = 1 }
		END { exit !f }' "$o" || { cat "$o"; rm -f "$o"; return 1; }
	rm -f "$o"
}
export -f stressng
export STRESS_T
for s in shm-sysv sem-sysv msg; do
	wl stress-ng "stress-$s" bash -c 'stressng "$0"' "$s"
done

echo "== PostgreSQL pgbench (shared_memory_type = sysv)"
PG=/tmp/bench-pg
as_pg() { su postgres -s /bin/sh -c "PAGER=cat $*"; }
pg_setup() {
	rm -rf "$PG"; mkdir -p "$PG" && chown postgres "$PG" || return 1
	as_pg "$PGBIN/initdb -D $PG/tmpl -A trust --no-sync" >"$PG/initdb.log" 2>&1 ||
		{ tail "$PG/initdb.log"; return 1; }
	cat >>"$PG/tmpl/postgresql.conf" <<-EOC
		shared_memory_type = sysv
		dynamic_shared_memory_type = sysv
		shared_buffers = 32MB
		max_connections = 20
		listen_addresses = ''
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		autovacuum = off
	EOC
	local v pre nshm
	for v in kernel sysvipc; do
		as_pg "cp -a $PG/tmpl $PG/$v && mkdir -p $PG/sock-$v" || return 1
		echo "unix_socket_directories = '$PG/sock-$v'" >>"$PG/$v/postgresql.conf"
		pre=; [ $v = sysvipc ] && pre="LD_PRELOAD=$LIB SYSVIPC_FALLBACK=0"
		nshm=$(grep -c . /proc/sysvipc/shm)
		as_pg "$pre $PGBIN/pg_ctl -D $PG/$v -l $PG/$v.log -w -t 300 start" >/dev/null ||
			{ tail "$PG/$v.log"; return 1; }
		# the sysvipc server must not have made a kernel segment, the kernel one must
		if [ $v = sysvipc ] && [ "$(grep -c . /proc/sysvipc/shm)" != "$nshm" ]; then
			echo "bench: the LD_PRELOADed postgres created a kernel SysV segment"; return 1
		elif [ $v = kernel ] && [ "$(grep -c . /proc/sysvipc/shm)" = "$nshm" ]; then
			echo "bench: the native postgres created no kernel SysV segment"; return 1
		fi
		as_pg "$PGBIN/pgbench -h $PG/sock-$v -i -s 1 -q postgres" >"$PG/init-$v.log" 2>&1 ||
			{ tail "$PG/init-$v.log"; return 1; }
	done
}
# pgb VARIANT: the benchmark is pgbench's TPC-B-like default, 2 clients
pgb() {
	local o
	o=$(su postgres -s /bin/sh -c "$PGBIN/pgbench -h $PG/sock-$BENCH_VARIANT -c 2 -j 2 -T $PG_T postgres" 2>&1) ||
		{ echo "$o"; return 1; }
	echo "$o" | grep -q "number of failed transactions: 0" || { echo "$o"; return 1; }
	echo "$o" | awk '/^tps = / { print "RESULT", $3, "tps"; f = 1 } END { exit !f }' || { echo "$o"; return 1; }
}
export -f pgb
export PG PG_T PGBIN
if [ ! -x "$PGBIN/pgbench" ]; then
	echo "  pgbench SKIPPED: $PGBIN not installed (Debian's postgresql-15)"
elif pg_setup; then
	# the servers are already running on their IPC; one() adds LD_PRELOAD to
	# the pgbench client, which makes no SysV calls (it must still find the module)
	REPS_SAVED=$REPS; REPS=$PG_REPS
	wl pgbench pgbench-tpcb bash -c pgb
	REPS=$REPS_SAVED
else
	printf 'FAIL\tpgbench-tpcb\tsetup\t0\tsetup failed\n' >>"$OUT/failures"
	echo "  pgbench setup FAILED"
fi
for v in kernel sysvipc; do
	[ -f "$PG/$v/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl -D $PG/$v -m fast -w -t 120 stop" >/dev/null
done

nf=$(grep -c . "$OUT/failures")
echo "== done in $((SECONDS - T0))s: $(grep -c . "$OUT/raw.tsv") measurements, $nf failed"
sync
[ "$nf" = 0 ]
