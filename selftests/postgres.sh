#!/bin/sh
# PostgreSQL 15 on SysV shared memory: initdb, start, pgbench, restart,
# the old-segment checks a restart makes, stop.  Run by postgres_test with
# PRELOAD set (through libsysvipc) or empty (the kernel's IPC).
#
#   postgres.sh DIR start|bench|restart|stop|status|crash|start-expect-in-use
#
# Everything runs as the postgres user; DIR is the cluster's data directory
# (created by "start" when missing). Output goes to DIR.log.
set -u
B=/usr/lib/postgresql/15/bin
D=$1
ACTION=$2
SOCK=$D.sock
LOG=$D.log

as_pg() {
	su postgres -s /bin/sh -c "LD_PRELOAD='${PRELOAD:-}' PAGER=cat $*" >>"$LOG" 2>&1
}

case $ACTION in
start)
	if [ ! -d "$D" ]; then
		mkdir -p "$D" "$SOCK" && chown postgres "$D" "$SOCK" || exit 1
		as_pg "$B/initdb -D $D -A trust --no-sync" || exit 1
		cat >>"$D/postgresql.conf" <<EOC
shared_memory_type = sysv
dynamic_shared_memory_type = sysv
shared_buffers = 16MB
max_connections = 10
unix_socket_directories = '$SOCK'
listen_addresses = ''
fsync = off
EOC
	fi
	as_pg "$B/pg_ctl -D $D -l $LOG.server -w -t 120 start"
	;;
start-expect-in-use)
	# The old segment is attached by someone: postgres must refuse.
	as_pg "$B/pg_ctl -D $D -l $LOG.server -w -t 60 start" && exit 1
	grep -q "pre-existing shared memory block .* is still in use" "$LOG.server"
	;;
bench)
	as_pg "$B/pgbench -h $SOCK -i -s 1 -q postgres" &&
	as_pg "$B/pgbench -h $SOCK -c 2 -T 3 postgres" &&
	grep -q "number of failed transactions: 0" "$LOG"
	;;
count)
	su postgres -s /bin/sh -c "LD_PRELOAD='${PRELOAD:-}' $B/psql -h $SOCK -X -P pager=off -Atc 'select count(*) from pgbench_accounts' postgres"
	;;
restart)
	as_pg "$B/pg_ctl -D $D -l $LOG.server -m fast -w -t 120 restart"
	;;
crash)
	# SIGKILL the postmaster; its children notice and exit.
	[ -f "$D/postmaster.pid" ] || exit 0
	kill -9 "$(head -1 "$D/postmaster.pid")" || exit 1
	i=0
	while pgrep -u postgres -f "postgres" >/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! pgrep -u postgres -f postgres >/dev/null
	;;
stop)
	[ -f "$D/postmaster.pid" ] || exit 0
	as_pg "$B/pg_ctl -D $D -m fast -w -t 120 stop"
	;;
*)
	exit 2
	;;
esac
