#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sls-vm runs a command in the guest, on the 6.12 kernel with the NVMe
# disk, and exits with the command's status.
. "$(dirname "$0")/../../lib/hosttest.sh"

"${VM[@]}" -- 'uname -r; ls /dev/nvme0n1' > "$WORK/out" ||
	{ echo "uname: exit $?"; cat "$WORK/out"; exit 1; }
tr -d '\r' < "$WORK/out" | grep -qxE '6\.12\.[0-9]+[^[:space:]]*' ||
	{ echo "no 6.12 version in:"; cat "$WORK/out"; exit 1; }
tr -d '\r' < "$WORK/out" | grep -qx '/dev/nvme0n1' ||
	{ echo "no /dev/nvme0n1 in:"; cat "$WORK/out"; exit 1; }

"${VM[@]}" -- 'false' > "$WORK/out"
rc=$?
[ $rc -eq 1 ] || { echo "false: exit $rc, expected 1"; exit 1; }
echo "uname and device seen; false exits 1"
