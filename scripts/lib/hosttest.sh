# SPDX-License-Identifier: GPL-2.0
#
# Sourced by scripts/tests/KIND/NAME.sh: the settings every host-driven test
# starts from.  Sets CONFIG (from SLS_CONFIG, as sls-test passes it), a
# scratch directory WORK removed on success (kept, with the guests' logs,
# when the test fails), and VM, the sls-vm command line
# with a small disk of its own in WORK and its logs there too.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CONFIG=${SLS_CONFIG:-debug}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sls-test.XXXXXX")
trap 'rc=$?; if [ $rc -eq 0 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi; exit $rc' EXIT
VM=("$SLS_REPO/scripts/sls-vm" --config "$CONFIG" --disk "$WORK/disk.img"
    --disk-size 16M --log-dir "$WORK")

# sls_lines FILE: the complete lines of a guest's output, without carriage
# returns; a line a power cut broke off is not one.
sls_lines() {
	if [ -z "$(tail -c 1 "$1")" ]; then
		tr -d '\r' < "$1"
	else
		tr -d '\r' < "$1" | sed '$d'
	fi
}
