#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An unmodified Redis (Debian's redis-server) keeps every key it
# acknowledged before its last durable epoch, across power cuts.  The
# server runs under slsctl run --period 10; a client SETs k1, k2, ... and
# logs, for each acknowledgement, the partition's newest epoch E then
# (epoch E + 2 and later hold that key: see scripts/guest/sls-redis); QEMU
# is killed at a random instant during the writes.  Each next boot
# restores the server with slsctl restore, checks that k1..kN are all
# there with their values, N at least the last key the restored epoch
# must hold and nothing beyond it, then writes on from kN+1 and is cut
# again.  The last boot checks and shows the server still serving.
# SLS_CUTS power cuts (5; the soak runs 20: SLS_CUTS=20 bash THIS).
. "$(dirname "$0")/../../lib/hosttest.sh"

CUTS=${SLS_CUTS:-5}
VM+=(--disk-size 256M)
MOUNT="mkdir -p /sls && mount -t slsfs /dev/nvme0n1 /sls"
WRITE="{ sls-redis monitor r & } && sls-redis write r"

# check N: boot N restored an epoch R not older than the last one boot
# N-1 saw durable, and the server holds exactly k1..kH with H at least the
# last key acknowledged before epoch R - 1.  Prints H.
check() {
	local out=$WORK/boot$1.out prev=$WORK/boot$(($1 - 1)).out
	local last epoch must keys dbsize

	last=$(sls_lines "$prev" | sed -n 's/^durable \([0-9]*\) .*/\1/p' | tail -n 1)
	epoch=$(sls_lines "$out" | sed -n 's/^stored \([0-9]*\)$/\1/p' | head -n 1)
	read -r keys dbsize < <(sls_lines "$out" |
		sed -n 's/^keys \([0-9]*\) dbsize \([0-9]*\)$/\1 \2/p' | head -n 1)
	if [ -z "$last" ] || [ -z "$epoch" ] || [ -z "$keys" ]; then
		echo "boot $1: durable ${last:-none} before the cut, restored" \
		     "${epoch:-nothing}, keys ${keys:-unknown}" >&2
		tail -n 20 "$out" >&2
		return 1
	fi
	must=$(sls_lines "$prev" | awk -v r="$epoch" \
		'$1 == "acked" && $4 + 2 <= r { m = $2 } END { print m + 0 }')
	if [ "$epoch" -lt "$last" ] || [ "$keys" -lt "$must" ] ||
	   [ "$dbsize" -ne "$keys" ]; then
		echo "boot $1: restored epoch $epoch (last durable $last) holds" \
		     "k1..k$keys of $dbsize keys; it must hold k1..k$must" >&2
		return 1
	fi
	echo "$keys $must $epoch $last"
}

sls_boot 1 "slsctl mkfs /dev/nvme0n1 && $MOUNT && sls-redis start r 10 &&
	$WRITE 1" 1 || exit 1
grep -q '^acked ' "$WORK/boot1.out" || { echo "boot 1: no key acknowledged"; exit 1; }

RESTORE="$MOUNT && echo \"stored \$(readlink /sls/r/latest)\" &&
	slsctl restore r > /dev/null && ip link set lo up && sls-redis check"
for n in $(seq 2 $((CUTS + 1))); do
	if [ "$n" -le "$CUTS" ]; then
		sls_boot "$n" "$RESTORE && { k=\$(sls-redis check | cut -d' ' -f2);
			$WRITE \$((k + 1)); }" 1 || exit 1
	else
		sls_boot "$n" "$RESTORE && redis-cli set after-restore yes &&
			redis-cli --raw get after-restore" || exit 1
	fi
	read -r keys must epoch last < <(check "$n") || exit 1
	echo "boot $n: restored epoch $epoch (last durable $last): k1..k$keys" \
	     "there, k$must the last the epoch must hold"
done
sls_lines "$WORK/boot$((CUTS + 1)).out" | grep -qx yes ||
	{ echo "the restored server did not serve"; exit 1; }
echo "redis kept every acknowledged key across $CUTS power cuts"
