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

# sls_boot N SCRIPT [CUT]: run SCRIPT in the guest, its output in
# WORK/bootN.out and .err.  With CUT, cut the power at a random instant
# CUT to CUT + 3 seconds after the guest first prints a line that starts
# with "durable".
sls_boot() {
	local n=$1 script=$2 cut=${3:-} rc delay

	if [ -z "$cut" ]; then
		"${VM[@]}" -- "$script" > "$WORK/boot$n.out" 2> "$WORK/boot$n.err"
		rc=$?
		[ $rc -eq 0 ] && return 0
		echo "boot $n: exit status $rc"
	else
		delay=$((cut + RANDOM % 3)).$((RANDOM % 10))
		"${VM[@]}" --kill-on '^durable' --kill-after "$delay" -- "$script" \
			> "$WORK/boot$n.out" 2> "$WORK/boot$n.err"
		rc=$?
		# 137 is also an OOM-killed guest shell's status: ask sls-vm.
		if [ $rc -eq 137 ] && grep -q '^sls-vm: power cut after' "$WORK/boot$n.err"; then
			echo "boot $n: power cut ${delay}s after the first durable epoch"
			return 0
		fi
		echo "boot $n: expected a power cut (137), got $rc"
	fi
	tail -n 20 "$WORK/boot$n.out" "$WORK/boot$n.err"
	return 1
}
