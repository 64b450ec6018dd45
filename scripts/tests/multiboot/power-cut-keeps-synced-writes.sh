#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The power-cut loop that the store's crash tests stand on: a guest writes
# sequence numbers to the NVMe disk with fsync and reports each one it
# made durable; QEMU is SIGKILLed at a random instant; the next boot finds
# the last reported number (or the one after it) on the disk.
. "$(dirname "$0")/../../lib/hosttest.sh"

# A random instant within 3 seconds of the third durable write.
CUT=$((RANDOM % 3)).$((RANDOM % 10))
"${VM[@]}" --kill-on '^durable 3$' --kill-after "$CUT" -- '
	i=0
	while :; do
		i=$((i + 1))
		echo "seq $i" | dd of=/dev/nvme0n1 bs=512 count=1 conv=sync,fsync \
			2>/dev/null || exit 1
		echo "durable $i"
	done' > "$WORK/boot1.out"
rc=$?
[ $rc -eq 137 ] || { echo "boot 1: expected a power cut (137), got $rc"; exit 1; }
last=$(tr -d '\r' < "$WORK/boot1.out" | sed -n 's/^durable \([0-9]*\)$/\1/p' | tail -n 1)
[ -n "$last" ] || { echo "boot 1: no write was durable before the cut"; exit 1; }

"${VM[@]}" -- 'dd if=/dev/nvme0n1 bs=512 count=1 2>/dev/null | head -n 1' \
	> "$WORK/boot2.out" || { echo "boot 2 failed"; exit 1; }
found=$(tr -d '\r' < "$WORK/boot2.out" | sed -n 's/^seq \([0-9]*\)$/\1/p' | tail -n 1)
echo "cut ${CUT}s after write 3: last durable $last, found ${found:-nothing}"
[ -n "$found" ] && [ "$found" -ge "$last" ] && [ "$found" -le $((last + 1)) ]
