# Sourced by the debug-kernel scripts (check-debug.sh, fuzz-debug.sh on the
# host; in-vm.sh, fuzz-loop.sh in the VM).

# The kernel reports in a debug-kernel console log, one per line: the stock
# scan's patterns plus the debug options' own, minus their boot banners.
debug_report_lines() { # LOG
	grep -aE 'Oops|BUG:|WARNING:|KASAN:|UBSAN:|possible circular|possible recursive|inconsistent lock|lockdep is turned off|DEBUG_LOCKS_WARN_ON|hung_task|blocked for more than|unreferenced object|suspected memory leak|general protection|Call Trace|soft lockup|self-detected stall|rcu_.*stall|ODEBUG|list_(add|del) corruption' "$1" |
		grep -avE 'kmemleak: Kernel memory leak detector|Lock dependency validator' | tr -d '\r'
}

KML=/sys/kernel/debug/kmemleak

# In the VM: forget the suspects so far (boot-time ones do not count).
kmemleak_reset() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	[ -w $KML ] || return 1
	echo scan >$KML; echo clear >$KML
}

# In the VM: scan (objects must be 5 s old to count), copy the report to
# OUT and print the number of unreferenced objects.
kmemleak_scan() { # OUT
	sleep 6; echo scan >$KML; sleep 1; echo scan >$KML
	cat $KML >"$1"
	grep -c '^unreferenced object' "$1"
}
