#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian's python3, adding up a list it keeps growing, comes back after
# power cuts and goes on where it was: programs-restored-after-power-cuts
# with the python program alone (its start takes seconds of the debug
# kernel's stops, which other partitions would lengthen).  SLS_CUTS power
# cuts (2; the soak: SLS_CUTS=20 bash THIS).
SLS_PROGRAMS=python exec bash "$(dirname "$0")/programs-restored-after-power-cuts.sh"
