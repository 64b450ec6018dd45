# SPDX-License-Identifier: GPL-2.0
# Shared by the scripts/sls-* commands: paths of the cache, logging, and
# installation of what the scripts need.  Source it; do not run it.

SLS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SLS_CACHE=${SLS_CACHE:-$HOME/.cache/sls}
SLS_TARBALL=/usr/src/linux-source-6.12.tar.xz
SLS_JOBS=${SLS_JOBS:-$(($(nproc) + 1))}

# Debian packages the build, the guest and the tests need.
SLS_PACKAGES="linux-source-6.12 qemu-system-x86 gcc make bc bison flex
	libelf-dev libssl-dev cpio ccache busybox-static xz-utils rsync kmod
	python3 git perl redis-server redis-tools sqlite3"

sls_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
sls_die() { sls_log "error: $*"; exit 1; }

# sls_install_deps [PKG...]: install the packages (those of $SLS_PACKAGES
# by default) that are missing.
sls_install_deps() {
	local missing=() pkg

	for pkg in ${@:-$SLS_PACKAGES}; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	sls_log "installing ${missing[*]}"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -q >/dev/null ||
		sls_die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null ||
		sls_die "apt-get install ${missing[*]} failed"
}

# The Debian package version of the kernel source, e.g. 6.12.117-1~deb12u1.
sls_source_package_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
}

# The kernel version of an unpacked tree, e.g. 6.12.117.
sls_tree_kernel_version() {
	awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
	     END{print v "." p "." s}' "$1/Makefile"
}

# Files of ours that the kernel tree receives, relative to the repository.
sls_overlay_files() {
	(cd "$SLS_REPO" &&
	 find Kconfig.sls include/uapi/linux/sls*.h include/linux/sls*.h \
	      kernel/sls mm/sls_shadow.c mm/sls_shadow_kunit.h mm/sls_lazy.c fs/slsfs tools/sls \
	      tools/testing/selftests/sls Documentation \
	      -type f ! -name '*.o' ! -name '.*.cmd' 2>/dev/null || true) |
	grep -v -e '/\.gitignore$' | sort
}

# Check --config values.
sls_check_config() {
	case "$1" in
	debug|bench) ;;
	*) sls_die "--config must be debug or bench, not '$1'" ;;
	esac
}

# The kernel tree: a git repository of pristine linux-source-6.12 (branch
# "base") onto which the series is applied with git am (branch "build").
SLS_PRISTINE=$SLS_CACHE/pristine
GIT=(git -C "$SLS_PRISTINE" -c user.name="SLS developers" -c user.email=sls@localhost)

# Where the build of one config lives: a subdirectory of the tree, so that
# the kernel's paths are relative and ccache hits after a move.
sls_build_dir() { echo "$SLS_PRISTINE/.build-$1"; }
sls_out_dir() { echo "$SLS_CACHE/out-$1"; }
