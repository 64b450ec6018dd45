#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An application comes back after a power cut as of its last durable
# epoch.  A counter (tools/testing/selftests/sls/sls_counter) runs under
# slsctl run --period 10 and prints every 16th value it reaches; a monitor
# prints each epoch that becomes durable; QEMU is killed at a random
# instant.  Each next boot reads from the store what the newest epoch holds
# of the counter, restores it with slsctl restore, checks that it goes on
# from that value and is cut again: the counter lives on across all the
# cuts.  SLS_CUTS power cuts (5; the soak runs 200: SLS_CUTS=200 bash THIS).
. "$(dirname "$0")/../../lib/hosttest.sh"

CUTS=${SLS_CUTS:-5}
# The cleaner keeps the store's space bounded, however many the cuts.
VM+=(--disk-size 64M)
CTL=/sys/kernel/debug/slsfs/nvme0n1/ctl
SYS=/sys/kernel/sls/partitions/nvme0n1:ctr
MOUNT="mkdir -p /sls && mount -t slsfs /dev/nvme0n1 /sls"
# slsctl run, in the background, may not have made the partition yet.
MONITOR="for i in \$(seq 200); do [ -e $SYS ] && break; sleep 0.05; done;
	last=; while :; do e=\$(cat $SYS/durable_epoch) || exit 1;
	[ \"\$e\" = \"\$last\" ] || echo \"durable \$e\"; last=\$e; sleep 0.05; done"

# check N LAST: boot N restored an epoch not older than LAST, the last one
# reported durable before the cut, and the counter went on from the value
# that epoch holds.  Prints the epoch.
check() {
	local out=$WORK/boot$1.out last=$2 epoch value first

	read -r epoch value < <(sls_lines "$out" |
		sed -n 's/^stored \([0-9]*\) word \([0-9]*\)$/\1 \2/p' | head -n 1)
	if [ -z "$epoch" ]; then
		echo "boot $1: nothing restored" >&2
		tail -n 20 "$out" >&2
		return 1
	fi
	if [ "$epoch" -lt "$last" ]; then
		echo "boot $1: restored epoch $epoch, but $last was durable" >&2
		return 1
	fi
	first=$(sls_lines "$out" | sed -n '/^stored /,$s/^count \([0-9]*\)$/\1/p' |
		head -n 1)
	if [ -z "$first" ] || [ "$first" -lt "$value" ] ||
	   [ "$first" -gt $((value + 16)) ]; then
		echo "boot $1: epoch $epoch holds count $value, the restored" \
		     "counter went on from ${first:-nowhere}" >&2
		tail -n 20 "$out" >&2
		return 1
	fi
	echo "$epoch $value $first"
}

# The counter's PID must be free in every later boot, where kernel threads
# and the boot's own commands take other PIDs than in this one: start it
# far above them, past a thousand short-lived subshells.
sls_boot 1 "slsctl mkfs /dev/nvme0n1 && $MOUNT &&
	i=0 && while [ \$i -lt 1000 ]; do ( : ); i=\$((i + 1)); done &&
	{ slsctl run --period 10 ctr -- /usr/lib/sls/selftests/sls_counter & } &&
	$MONITOR" 0 || exit 1
read -r pid page < <(sls_lines "$WORK/boot1.out" |
	sed -n 's/^sls_counter pid \([0-9]*\) page \([0-9]*\)$/\1 \2/p')
[ -n "$pid" ] || { echo "boot 1: the counter did not start"; exit 1; }

# The counter's memory is the store object its epoch's mm record names.
RESTORE="$MOUNT && e=\$(readlink /sls/ctr/latest) &&
	obj=\$(slsctl dump --json ctr \$e |
		sed -n 's/.*\"type\": \"mm\".*\"obj\": \([0-9]*\).*/\\1/p') &&
	echo \"word ctr \$e \$obj $page\" > $CTL &&
	echo \"stored \$e \$(cat $CTL)\" && slsctl restore ctr"
for n in $(seq 2 $((CUTS + 1))); do
	last=$(sls_lines "$WORK/boot$((n - 1)).out" |
		sed -n 's/^durable \([0-9]*\)$/\1/p' | tail -n 1)
	[ -n "$last" ] || { echo "boot $((n - 1)): no epoch durable before the cut"; exit 1; }
	if [ "$n" -le "$CUTS" ]; then
		sls_boot "$n" "$RESTORE && $MONITOR" 0 || exit 1
	else
		sls_boot "$n" "$RESTORE && sleep 1" || exit 1
	fi
	read -r epoch value first < <(check "$n" "$last") || exit 1
	echo "boot $n: restored epoch $epoch (last durable $last): count $value," \
	     "then $first"
done
echo "the counter came back after $CUTS power cuts"
