#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A kernel report in a boot that ends in a power cut still fails it: the
# guest never writes its kernel log out then, so sls-vm must find the
# report on the console and exit 125, not 137.  (LKDTM: debug kernel.)
. "$(dirname "$0")/../../lib/hosttest.sh"

# exit 77: sls-test counts the test as skipped
[ "$CONFIG" = debug ] || { echo "needs the debug kernel's LKDTM"; exit 77; }
"${VM[@]}" --kill-on '^go$' --kill-after 2 -- '
	echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT
	echo go
	sleep 600' > "$WORK/out" 2>&1
rc=$?
[ $rc -eq 125 ] || { echo "expected 125 for the WARN, got $rc"; tail -n 20 "$WORK/out"; exit 1; }
echo "the WARN before the cut made sls-vm exit 125"
