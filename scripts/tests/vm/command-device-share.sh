#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sls-vm runs a command in the guest, on the 6.12 kernel with the NVMe
# disk, and exits with the command's status; --share DIR is /host in the
# guest, both ways.  Two boots: one that succeeds, one that fails.
. "$(dirname "$0")/../../lib/hosttest.sh"

mkdir "$WORK/share"
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$token" > "$WORK/share/to-guest"

"${VM[@]}" --share "$WORK/share" -- 'uname -r; ls /dev/nvme0n1;
	tr a-f A-F < /host/to-guest > /host/from-guest' > "$WORK/out" ||
	{ echo "guest command: exit $?"; cat "$WORK/out"; exit 1; }
tr -d '\r' < "$WORK/out" | grep -qxE '6\.12\.[0-9]+[^[:space:]]*' ||
	{ echo "no 6.12 version in:"; cat "$WORK/out"; exit 1; }
tr -d '\r' < "$WORK/out" | grep -qx '/dev/nvme0n1' ||
	{ echo "no /dev/nvme0n1 in:"; cat "$WORK/out"; exit 1; }
want=$(echo "$token" | tr a-f A-F)
got=$(cat "$WORK/share/from-guest" 2>/dev/null)
[ "$got" = "$want" ] || { echo "--share: expected '$want', got '$got'"; exit 1; }

"${VM[@]}" -- 'false' > "$WORK/out"
rc=$?
[ $rc -eq 1 ] || { echo "false: exit $rc, expected 1"; exit 1; }
echo "uname, device and --share round trip of $token seen; false exits 1"
