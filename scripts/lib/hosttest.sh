# SPDX-License-Identifier: GPL-2.0
#
# Sourced by scripts/tests/KIND/NAME.sh: the settings every host-driven test
# starts from.  Sets CONFIG (from SLS_CONFIG, as sls-test passes it), a
# scratch directory WORK removed on exit, and VM, the sls-vm command line
# with a small disk of its own in WORK and its logs there too.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CONFIG=${SLS_CONFIG:-debug}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sls-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
VM=("$SLS_REPO/scripts/sls-vm" --config "$CONFIG" --disk "$WORK/disk.img"
    --disk-size 16M --log-dir "$WORK")
