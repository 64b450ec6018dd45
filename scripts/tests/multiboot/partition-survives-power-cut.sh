#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A partition created and given its first durable epoch survives a power
# cut that comes right after: the next boot mounts the store and finds the
# partition and the epoch, whose records slsctl dump reads back with their
# checksums verified.  The first boot persists a process through the
# system calls (slsctl run, slsctl checkpoint --sync) and is killed the
# moment the epoch is reported durable.
. "$(dirname "$0")/../../lib/hosttest.sh"

VM+=(--disk-size 64M)
MOUNT="mkdir -p /sls && mount -t slsfs /dev/nvme0n1 /sls"

"${VM[@]}" --kill-on '^durable' --kill-after 0.1 -- "slsctl mkfs /dev/nvme0n1 &&
	$MOUNT && slsctl create app && { slsctl run app -- sleep 1000 & } &&
	sleep 1 && echo \"durable \$(slsctl checkpoint --sync app)\" &&
	sleep 100" > "$WORK/boot1.out" 2> "$WORK/boot1.err"
rc=$?
if [ $rc -ne 137 ] || ! grep -q '^sls-vm: power cut after' "$WORK/boot1.err"; then
	echo "boot 1: expected a power cut (137), got $rc"
	tail -n 20 "$WORK/boot1.out" "$WORK/boot1.err"
	exit 1
fi
epoch=$(tr -d '\r' < "$WORK/boot1.out" | sed -n 's/^durable \([0-9][0-9]*\)$/\1/p')
[ -n "$epoch" ] || { echo "boot 1: no durable epoch reported"; tail -n 20 "$WORK/boot1.out"; exit 1; }

"${VM[@]}" -- "$MOUNT && slsctl ls && slsctl dump app $epoch > /tmp/dump &&
	grep -e '^epoch ' -e '^proc ' /tmp/dump && grep -c '^thread ' /tmp/dump" > "$WORK/boot2.out" 2>&1 ||
	{ echo "boot 2 failed"; tail -n 20 "$WORK/boot2.out"; exit 1; }
out=$(tr -d '\r' < "$WORK/boot2.out")
if ! grep -q '^app ' <<< "$out" || ! grep -q "^epoch $epoch " <<< "$out" ||
   ! grep -q '^proc pid .* comm "sleep"' <<< "$out"; then
	echo "boot 2: partition app or its epoch $epoch missing after the cut:"
	tail -n 20 "$WORK/boot2.out"
	exit 1
fi
echo "partition app and its epoch $epoch survived a power cut right after the commit"
