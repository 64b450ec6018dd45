#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sls-vm --share DIR: a file the host put in DIR is read at /host in the
# guest, and a file the guest writes there reaches the host.
. "$(dirname "$0")/../../lib/hosttest.sh"
mkdir "$WORK/share"
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$token" > "$WORK/share/to-guest"

"${VM[@]}" --share "$WORK/share" -- \
	'tr a-f A-F < /host/to-guest > /host/from-guest' ||
	{ echo "guest command failed: exit $?"; exit 1; }
want=$(echo "$token" | tr a-f A-F)
got=$(cat "$WORK/share/from-guest" 2>/dev/null)
[ "$got" = "$want" ] || { echo "expected '$want', got '$got'"; exit 1; }
echo "round trip of $token"
