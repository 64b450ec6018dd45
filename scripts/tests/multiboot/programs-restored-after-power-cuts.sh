#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Programs come back after a power cut and go on where they were.  Each
# of $SLS_PROGRAMS (sqlite pipe pool) runs in a partition of its own under
# slsctl run --period 10; they are scripts/guest/sls-programs:
#   sqlite  Debian's sqlite3 shell on an in-memory database, fed by a shell
#           loop through a pipe: each step inserts i and prints
#           "sqlite i sum" (the row count and the sum of the rows);
#   pipe    a shell loop | busybox awk pipeline: awk prints "pipe i sum"
#           for each number the loop sends it;
#   pool    sls_pool, a pthread worker pool: "pool i sum", the sum added
#           up by whichever of its four workers took each number;
#   python  Debian's python3 keeps 1..i in a list and prints
#           "python i sum" of it (python-restored-after-power-cuts.sh:
#           alone, as its start is slow under the debug kernel).
# QEMU is killed at a random instant; the next boot restores them with
# slsctl restore and checks that each goes on without a gap from where
# it was: every line after the restore is the next step of one sequence
# (sum = i (i + 1) / 2, i one more than the line before), the first one
# no further on than the step after the last one printed before the cut,
# and the first program's restored epoch not older than the last one seen
# durable.  SLS_CUTS power cuts (2; the soak: SLS_CUTS=20 bash THIS).
. "$(dirname "$0")/../../lib/hosttest.sh"

CUTS=${SLS_CUTS:-2}
PROGRAMS=${SLS_PROGRAMS:-sqlite pipe pool}
FIRST=${PROGRAMS%% *}
VM+=(--disk-size 128M)
MOUNT="mkdir -p /sls && mount -t slsfs /dev/nvme0n1 /sls"
SYS=/sys/kernel/sls/partitions/nvme0n1
MONITOR="last=; while :; do e=\$(cat $SYS:$FIRST/durable_epoch) || exit 1;
	[ \"\$e\" = \"\$last\" ] || echo \"durable \$e\"; last=\$e; sleep 0.05; done"
# All start past a thousand PIDs, clear of what the next boots take, and
# run a few seconds before the first cut can come.
BOOT1="slsctl mkfs /dev/nvme0n1 && $MOUNT &&
	i=0 && while [ \$i -lt 1000 ]; do ( : ); i=\$((i + 1)); done &&
	for p in $PROGRAMS; do
		{ slsctl run --period 10 \$p -- sls-programs \$p & }; done &&
	for p in $PROGRAMS; do
		while [ ! -e $SYS:\$p/durable_epoch ]; do sleep 0.05; done; done &&
	sleep 5 && $MONITOR"
RESTORE="$MOUNT && for p in $PROGRAMS; do
	echo \"stored \$p \$(readlink /sls/\$p/latest)\"; slsctl restore \$p > /dev/null; done"

# steps BOOT PROG: the "i sum" steps program PROG printed in boot BOOT.
steps() { sls_lines "$WORK/boot$1.out" | awk -v p="$2" '$1 == p && NF == 3 { print $2, $3 }'; }

# check N PROG: PROG went on in boot N from no further on than the step
# after the last one boot N-1 printed (step 1 if it printed none), one
# step at a time.  Prints what it checked.
check() {
	local n=$1 prog=$2 last first bad

	last=$(steps $((n - 1)) "$prog" | tail -n 1 | cut -d' ' -f1)
	last=${last:-0}
	first=$(steps "$n" "$prog" | head -n 1 | cut -d' ' -f1)
	bad=$(steps "$n" "$prog" | awk -v f="$first" \
		'$1 != f + NR - 1 || $2 != $1 * ($1 + 1) / 2 { print; exit }')
	if [ -z "$first" ] || [ -n "$bad" ] ||
	   [ "$first" -gt $((last + 1)) ]; then
		echo "boot $n: $prog printed up to step $last before the cut," \
		     "${first:-nothing} first after the restore${bad:+, then '$bad'}" >&2
		tail -n 20 "$WORK/boot$n.out" >&2
		return 1
	fi
	echo "$prog went on from step $first (step $last printed before the cut)," \
	     "$(steps "$n" "$prog" | wc -l) steps in sequence"
}

sls_boot 1 "$BOOT1" 2 || exit 1
for n in $(seq 2 $((CUTS + 1))); do
	last=$(sls_lines "$WORK/boot$((n - 1)).out" |
		sed -n 's/^durable \([0-9]*\)$/\1/p' | tail -n 1)
	if [ "$n" -le "$CUTS" ]; then
		sls_boot "$n" "$RESTORE && $MONITOR" 3 || exit 1
	else
		sls_boot "$n" "$RESTORE && sleep 5" || exit 1
	fi
	epoch=$(sls_lines "$WORK/boot$n.out" |
		sed -n "s/^stored $FIRST \([0-9]*\)$/\1/p")
	if [ -z "$last" ] || [ -z "$epoch" ] || [ "$epoch" -lt "$last" ]; then
		echo "boot $n: $FIRST epoch ${epoch:-none} restored, ${last:-none} was durable"
		exit 1
	fi
	for prog in $PROGRAMS; do
		check "$n" "$prog" || exit 1
	done
done
echo "$PROGRAMS came back after $CUTS power cuts"
