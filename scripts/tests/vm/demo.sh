#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job of README.md, as a user runs it: scripts/sls-demo persists
# Redis, cuts the power in the middle of writes, restores it in a second
# boot and says that it holds every key acknowledged before its epoch.
. "$(dirname "$0")/../../lib/hosttest.sh"

"$SLS_REPO/scripts/sls-demo" --config "$CONFIG" --disk "$WORK/demo.img" \
	> "$WORK/out" 2>&1 ||
	{ echo "sls-demo: exit $?"; tail -n 30 "$WORK/out"; exit 1; }
tr -d '\r' < "$WORK/out" | grep -q '^==> Redis came back: epoch ' ||
	{ echo "no restored Redis in:"; tail -n 30 "$WORK/out"; exit 1; }
tr -d '\r' < "$WORK/out" | grep '^==> Redis came back'
