#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# slsfs keeps every durable epoch across power cuts and shows nothing
# uncommitted.  Each boot mounts the store, verifies the latest epoch page
# by page (checksums and contents), then commits epochs in a loop, saying
# which one is durable, until QEMU is killed at a random instant.  The next
# boot must find the last epoch reported durable, or the one after it if
# its commit made it without the report.  SLS_CUTS power cuts (5; the soak
# runs 50: SLS_CUTS=50 bash THIS).
. "$(dirname "$0")/../../lib/hosttest.sh"

CUTS=${SLS_CUTS:-5}
# 63 segments of 64 KiB, the smallest mkfs.slsfs makes: a boot writes
# more than they hold, so the cleaner checkpoints the index and frees
# segments all along, power cuts and all.
VM+=(--disk-size 4M)
CTL=/sys/kernel/debug/slsfs/nvme0n1/ctl
MOUNT="mkdir -p /sls && mount -t slsfs /dev/nvme0n1 /sls"
VERIFY="echo 'verify p 0' > $CTL && cat $CTL && echo \"epochs: \$(ls /sls/p | tr '\n' ' ')\""

# check OUT LAST: the epoch OUT's boot verified, which must be LAST, the
# last one reported durable, or the one after it whose commit made it
# unreported; the store must list no epoch beyond it.  Problems on stderr.
check() {
	local out=$1 last=$2 got listed

	got=$(sls_lines "$out" | sed -n 's/^ok epoch \([0-9]*\) pages 16$/\1/p' | head -n 1)
	if [ -z "$got" ]; then
		echo "no verified epoch after a cut past epoch $last:" >&2
		tail -n 20 "$out" >&2
		return 1
	fi
	if [ "$got" -lt "$last" ] || [ "$got" -gt $((last + 1)) ]; then
		echo "latest epoch $got, last reported durable $last" >&2
		return 1
	fi
	listed=$(sls_lines "$out" | sed -n 's/^epochs: //p' | tr ' ' '\n' |
		 grep -x '[0-9][0-9]*' | sort -n | tail -n 1)
	if [ "$listed" != "$got" ]; then
		echo "the store lists epoch ${listed:-none} beyond latest $got" >&2
		return 1
	fi
	echo "$got"
}

last=0
for cut in $(seq "$CUTS"); do
	delay=$((RANDOM % 3)).$((RANDOM % 10))
	first="mkfs.slsfs -q -s 64K /dev/nvme0n1 && $MOUNT && echo 'create p' > $CTL"
	[ $last -eq 0 ] || first="$MOUNT && $VERIFY"
	"${VM[@]}" --kill-on '^durable' --kill-after "$delay" -- "$first &&
		i=0 && while :; do
			i=\$((i + 1))
			echo \"epoch p 0 16 \$i full\" > $CTL || exit 1
			echo \"durable \$(cat $CTL | cut -d' ' -f2)\"
		done" > "$WORK/boot$cut.out" 2> "$WORK/boot$cut.err"
	rc=$?
	# 137 is also what an OOM-killed guest shell exits with: ask sls-vm.
	if [ $rc -ne 137 ] || ! grep -q '^sls-vm: power cut after' "$WORK/boot$cut.err"; then
		echo "boot $cut: expected a power cut (137), got $rc"
		tail -n 20 "$WORK/boot$cut.out" "$WORK/boot$cut.err"
		exit 1
	fi
	if [ $last -gt 0 ]; then
		check "$WORK/boot$cut.out" "$last" > /dev/null || exit 1
	fi
	last=$(sls_lines "$WORK/boot$cut.out" | sed -n 's/^durable \([0-9]*\)$/\1/p' | tail -n 1)
	[ -n "$last" ] || { echo "boot $cut: no epoch durable before the cut"; exit 1; }
	echo "cut $cut: ${delay}s after the first durable epoch; last durable $last"
done
"${VM[@]}" -- "$MOUNT && $VERIFY" > "$WORK/final.out" ||
	{ echo "final boot failed"; tail -n 20 "$WORK/final.out"; exit 1; }
got=$(check "$WORK/final.out" "$last") || exit 1
echo "after $CUTS cuts: latest epoch $got verified (last reported durable $last)"
