# SPDX-License-Identifier: GPL-2.0
# Recognise kernel reports (panic, oops, BUG, WARN, lockdep, KASAN, hung
# tasks) in guest logs.  Source it; do not run it.

# Markers that open a report; each one fails a run.
SLS_REPORT_RE='Kernel panic - not syncing|BUG: |kernel BUG at|Oops|general protection fault|WARNING: |UBSAN: |INFO: task .* blocked for more than|rcu: INFO: .* detected stalls|unreferenced object'

# sls_find_report KMSG CONSOLE: print the first report (up to 60 lines) and
# return 0 if either log holds one.  KMSG is "dmesg -r" output, written when
# the command ended; the console shows warnings and worse as they happen,
# so reports of a guest that died are there.  Kernel lines on the console
# carry a time stamp, which may follow the command's own output on the same
# line; text without one is the command's and is not taken for a report.
sls_find_report() {
	local kmsg=$1 console=$2 first

	if [ -f "$kmsg" ]; then
		first=$(grep -n -E -m1 "$SLS_REPORT_RE" "$kmsg" | cut -d: -f1)
		if [ -n "$first" ]; then
			sed -n "$first,$((first + 59))p" "$kmsg"
			return 0
		fi
	fi
	[ -f "$console" ] || return 1
	first=$(tr -d '\r' < "$console" |
		grep -n -E -m1 "\[ *[0-9]+\.[0-9]+\] .*($SLS_REPORT_RE)" |
		cut -d: -f1)
	[ -n "$first" ] || return 1
	tr -d '\r' < "$console" | sed -n "$first,$((first + 59))p"
	return 0
}
