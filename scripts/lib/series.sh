# SPDX-License-Identifier: GPL-2.0
# The patch series: the repository's files as git commits on pristine
# linux-source-6.12, then the hooks of patches/.  scripts/sls-patchset
# writes it out and scripts/sls-build builds the tree that git am makes of
# it.  Source it after common.sh; do not run it.

# path prefixes | subject | body, in the order the series adds them.
PIECES=(
"include/uapi/linux/sls.h include/uapi/linux/sls_image.h|sls: add the user ABI|The single level store's system calls take extensible argument structs
in the clone3()/openat2() way.  Define them, their flags and SLS_SELF in
one uapi header, and the records of an epoch's image in another, so that
tools can read what a checkpoint wrote."
"include/linux/sls_shadow.h mm/sls_shadow.c mm/sls_shadow_kunit.h mm/sls_lazy.c|mm: add COW system shadowing and lazy restore for the single level store|A checkpoint of a running process must not copy its memory while the
process waits.  Shadow the pages dirty since the last epoch instead:
clear their soft-dirty bits, write-protect them, make them
non-exclusive and take a reference, so that the next write copies the
page and the shadow keeps the contents of the checkpoint until slsfs
has written them.  Pinned pages are copied, as fork() does; huge pages
are shadowed whole; shared memory is copied.  A lazy restore leaves
pages in the store behind PTE markers and reads each on first touch."
"Kconfig.sls kernel/sls include/linux/sls.h Documentation/ABI/testing/sysfs-kernel-sls Documentation/admin-guide/sls.rst|sls: add partitions, checkpoints and the system calls|Add CONFIG_SLS and the sls_open, sls_attach, sls_persist and sls_restore
system calls.  Every argument is copied and checked before anything is
done, and each refusal logs one rate-limited line naming the caller;
KUnit covers the checks.  sls_open() creates and opens partitions in an
slsfs store; sls_attach() adds processes with ptrace access to them, and
their children join.  A checkpoint parks every thread through task_work,
captures each process object kind by object kind into the records of an
epoch, shadows the dirty memory and lets the threads run while slsfs
writes the epoch.  What restore could not rebuild is refused with
EOPNOTSUPP and named in last_error.  /sys/kernel/sls shows the figures of
each partition and takes its period.  The admin guide says how to run
applications under persistence, tune them and restore them."
"fs/slsfs include/linux/slsfs.h Documentation/ABI/testing/sysfs-fs-slsfs|slsfs: add the log-structured checkpoint store|slsfs keeps the checkpoints of the single level store: a log of
checksummed chunks written through fixed-size segments of a block
device, two superblocks written alternately, and epochs that become
durable with their commit chunk.  Index checkpoints let a mount read
only the log written since the newest one, and a cleaner copies the
blocks still needed out of mostly expired segments so that checkpoints
can go on forever in bounded space.  Mounting replays the log, drops a
torn tail and refuses a foreign, truncated or corrupt device with one
log line.  The mounted tree is read-only: a directory per partition, a file
per retained epoch holding its record stream, and \"latest\".  FORMAT.md
documents the on-disk format; KUnit covers the checks, the replay of a
torn tail at every byte boundary and the epoch index.  The kernel
interface writes and commits epochs straight from struct page and reads
them back; /sys/fs/slsfs/<dev> shows the store's figures, and a debugfs
file drives it from user space in test kernels."
"tools/sls|tools/sls: add slsctl, mkfs.slsfs and the benchmarks|slsctl drives the single level store from the command line: create a
partition, attach processes, checkpoint, restore, run a command under
persistence, list and remove partitions, print an epoch's records.
mkfs.slsfs formats a store; slsfs-bench measures one against the device
it is on, sls-ckpt-bench the stop and flush times of checkpoints and
region persistence against O_DIRECT writes, sls-kv-bench a key-value
store persisting its table as a region against a write-ahead log.  Their man pages, and those
of the system calls and of slsfs, are in tools/sls/man."
"tools/testing/selftests/sls|selftests/sls: test the system calls and slsfs from user space|kselftest_harness tests of every argument rule of the four system calls,
and of slsfs: mount refusals, commit and read back, retention, a full
device, damaged chunks, pages and records."
)


# A git repository of the pristine tree, made once per source package.
sls_prepare_pristine() {
	local pkg

	pkg=$(sls_source_package_version)
	[ -n "$pkg" ] || sls_die "linux-source-6.12 is not installed"
	if [ "$(cat "$SLS_PRISTINE/.git/sls-source-package" 2>/dev/null)" = "$pkg" ]; then
		return 0
	fi
	sls_log "making a git repository of pristine linux-source-6.12 $pkg"
	rm -rf "$SLS_PRISTINE" "$SLS_CACHE/.unpack-pristine"
	mkdir -p "$SLS_CACHE/.unpack-pristine"
	tar xJf "$SLS_TARBALL" -C "$SLS_CACHE/.unpack-pristine"
	mv "$SLS_CACHE/.unpack-pristine/linux-source-6.12" "$SLS_PRISTINE"
	rmdir "$SLS_CACHE/.unpack-pristine"
	"${GIT[@]}" init -q -b base
	echo '/.build-*' >> "$SLS_PRISTINE/.git/info/exclude"
	"${GIT[@]}" add -f -A
	"${GIT[@]}" commit -q -m "linux-source-6.12 $pkg"
	echo "$pkg" > "$SLS_PRISTINE/.git/sls-source-package"
}

# Does $1 fall under one of the prefixes in $2?
under() {
	local p

	for p in $2; do
		case "$1" in "$p"|"$p"/*) return 0 ;; esac
	done
	return 1
}

commit_groups() {
	local files group prefixes subject body f n

	files=$(sls_overlay_files)
	for f in $files; do
		n=0
		for group in "${PIECES[@]}"; do
			under "$f" "${group%%|*}" && n=1
		done
		[ $n -eq 1 ] || sls_die "$f belongs to no patch: add it to PIECES in ${BASH_SOURCE[0]}"
	done
	for group in "${PIECES[@]}"; do
		prefixes=${group%%|*}
		subject=${group#*|}
		body=${subject#*|}
		subject=${subject%%|*}
		n=0
		for f in $files; do
			under "$f" "$prefixes" || continue
			mkdir -p "$SLS_PRISTINE/$(dirname "$f")"
			cp "$SLS_REPO/$f" "$SLS_PRISTINE/$f"
			"${GIT[@]}" add -f "$f"
			n=$((n + 1))
		done
		[ $n -gt 0 ] || continue
		"${GIT[@]}" commit -q -s -m "$subject" -m "$body"
	done
}

apply_hooks() {
	local p

	for p in $(cat "$SLS_REPO/patches/series"); do
		"${GIT[@]}" am -q --committer-date-is-author-date \
			"$SLS_REPO/patches/$p" ||
			sls_die "patches/$p does not apply: see git -C $SLS_PRISTINE am --show-current-patch"
	done
}

# sls_make_series OUTDIR: write the series as git format-patch files.
sls_make_series() {
	local outdir=$1

	"${GIT[@]}" am --abort >/dev/null 2>&1 || true
	"${GIT[@]}" checkout -q -f -B sls-series base
	commit_groups
	apply_hooks
	mkdir -p "$outdir"
	rm -f "$outdir"/*.patch
	"${GIT[@]}" format-patch -q --zero-commit --no-signature \
		-o "$(realpath "$outdir")" base..sls-series
}
