#!/bin/sh
# usage: scan-console.sh LOG — print kernel splat lines found in a VM console
# log (prefixed "SPLAT:"); exit 1 if any, 0 if none.
PAT='Oops|BUG:|WARNING:|KASAN|UBSAN|lockdep is turned off|DEBUG_LOCKS_WARN_ON|possible circular|hung_task|blocked for more than|kmemleak|Call Trace|general protection'
if grep -aE "$PAT" "$1" >/dev/null 2>&1; then
	echo "SPLAT: kernel problems in the console log ($1):"
	grep -anE "$PAT" "$1" | tr -d '\r' | head -40 | sed 's/^/SPLAT: /'
	exit 1
fi
exit 0
