#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job of README.md, as a user runs it: scripts/sls-demo persists
# a counter, cuts the power, restores it in a second boot and says that it
# went on from the value its last durable epoch holds.
. "$(dirname "$0")/../../lib/hosttest.sh"

"$SLS_REPO/scripts/sls-demo" --config "$CONFIG" --disk "$WORK/demo.img" \
	> "$WORK/out" 2>&1 ||
	{ echo "sls-demo: exit $?"; tail -n 30 "$WORK/out"; exit 1; }
tr -d '\r' < "$WORK/out" | grep -q '^==> the counter came back: epoch ' ||
	{ echo "no restored counter in:"; tail -n 30 "$WORK/out"; exit 1; }
tr -d '\r' < "$WORK/out" | grep '^==> the counter came back'
