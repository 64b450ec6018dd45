#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-patchset.sh CONFIG: the series of scripts/sls-patchset applies
# with git am to pristine linux-source-6.12 and the result builds with the
# CONFIG kernel's configuration.  The build directory lives inside the
# pristine tree so that ccache finds the objects of the main build.
set -euo pipefail
. "$(dirname "$0")/common.sh"

CONFIG=${1:?usage: check-patchset.sh debug|bench}
SERIES=$SLS_CACHE/patchset-series
PRISTINE=$SLS_CACHE/pristine
BUILD=$PRISTINE/.build-$CONFIG
GIT=(git -C "$PRISTINE" -c user.name="SLS developers" -c user.email=sls@localhost)

"$SLS_REPO/scripts/sls-patchset" "$SERIES"
"${GIT[@]}" checkout -q -f -B am-check base
"${GIT[@]}" am -q "$SERIES"/*.patch
mkdir -p "$BUILD"
cp "$(sls_build_dir "$CONFIG")/.config" "$BUILD/.config"
export CCACHE_DIR=${CCACHE_DIR:-$SLS_CACHE/ccache}
make -s -C "$PRISTINE" O="$BUILD" olddefconfig
make -s -C "$PRISTINE" O="$BUILD" -j"$SLS_JOBS" CC="ccache gcc" bzImage
"${GIT[@]}" checkout -q -f base
echo "the series applies to $(sls_tree_kernel_version "$PRISTINE") and builds"
