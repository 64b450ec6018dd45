#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# slsctl dump, built on the host from tools/sls, reads a synthetic epoch
# record stream (one record of each type with known values, then the zero
# padding of a last block) as STORE/NAME/EPOCH: the text shows every value,
# --json is valid JSON with them, and a bad magic, checksum, epoch or
# length ends the dump with exit 1 and one line naming the byte offset.
# ls and rm, which need an slsfs mount, refuse a directory that is not one
# (and rm leaves it alone); every new command has a --help.
. "$(dirname "$0")/../../lib/hosttest.sh"

make -s -C "$SLS_REPO/tools/sls" OUTPUT="$WORK/" \
	KHDR_INCLUDES="-I$SLS_REPO/include/uapi" "$WORK/slsctl" \
	> "$WORK/build.log" 2>&1 ||
	{ echo "building slsctl failed:"; cat "$WORK/build.log"; exit 1; }
SLSCTL=$WORK/slsctl

# The generator: writes the stream, each record sealed as the kernel seals
# it, with the structs of sls_image.h.  MODE damages one record and prints
# its byte offset.
cat > "$WORK/gen.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sls_image.h>
#include "slsfs_crc.h"

static unsigned char stream[1 << 16];
static size_t len;
static int nr;
static const char *mode;

static void rec2(unsigned int type, const void *a, size_t alen,
		 const void *b, size_t blen)
{
	struct slsfs_record *r = (void *)(stream + len);
	unsigned long long epoch = 12;

	nr++;
	if (!strcmp(mode, "epoch") && nr == 4)
		epoch = 11;
	r->magic = SLSFS_RECORD_MAGIC;
	r->type = type;
	r->len = alen + blen;
	r->epoch = epoch;
	memcpy(r + 1, a, alen);
	memcpy((char *)(r + 1) + alen, b, blen);
	r->crc = 0;
	r->crc = slsfs_crc32c(r, sizeof(*r) + alen + blen);
	if (!strcmp(mode, "magic") && nr == 3)
		r->magic = 0xdeadbeef;
	if (!strcmp(mode, "crc") && nr == 4)
		((unsigned char *)(r + 1))[1] ^= 1;
	if (nr == (!strcmp(mode, "magic") ? 3 : !strcmp(mode, "tail") ? 5 : 4))
		printf("%zu\n", len);
	len += (sizeof(*r) + alen + blen + 7) & ~7UL;
}

static void rec(unsigned int type, const void *a, size_t alen)
{
	rec2(type, a, alen, NULL, 0);
}

int main(int argc, char **argv)
{
	struct sls_img_epoch e = {
		.epoch = 12, .time_ns = 1795611600ULL * 1000000000 + 5,
		.region_start = 0x1000, .region_end = 0x2000,
		.flags = SLS_IMG_FULL | SLS_IMG_REGION, .nr_procs = 1,
	};
	static struct sls_img_proc p = {
		.pid = 71, .ppid = 1, .pgid = 71, .sid = 1, .nr_threads = 1,
		.umask = 022, .exit_signal = 17, .uid = 1000, .euid = 1001,
		.suid = 1002, .fsuid = 1003, .gid = 100, .egid = 101,
		.sgid = 102, .fsgid = 103, .cap_effective = 0x1ff,
		.comm = "foo",
	};
	static struct sls_img_thread th = {
		.tid = 72, .blocked = 0x10000, .rseq_sig = 0x53053053,
		.xstate_size = 576, .comm = "worker",
	};
	static unsigned char xstate[576];
	struct sls_img_path path = { .kind = SLS_IMG_PATH_CWD };
	static struct sls_img_mm mm = {
		.obj = 12ULL << 22 | 71,
		.start_brk = 0x4c5000, .brk = 0x4e6000,
		.start_stack = 0x7ffd1000, .nr_vmas = 2, .nr_auxv = 4,
		.auxv = { 6, 4096, 9, 0x401000 },
	};
	struct sls_img_vma vma = {
		.start = 0x400000, .end = 0x401000, .vm_flags = 0x875,
		.kind = SLS_VMA_FILE,
	};
	struct sls_img_file file = {
		.id = 3, .pos = 42, .kind = SLS_FILE_REG, .flags = 0x8002,
		.mode = 0100644,
	};
	struct sls_img_fd fd = { .file_id = 3, .fd = 1,
				 .flags = SLS_IMG_FD_CLOEXEC };
	struct sls_img_pipe pipe = { .id = 1234, .size = 65536, .len = 5 };
	struct sls_img_unix un = {
		.ino = 555, .peer_ino = 556, .state = SLS_UNIX_CONNECTED,
		.addr_len = 9, .data_len = 2,
	};
	struct sls_img_eventfd efd = { .count = 5, .flags = 1 };
	struct sls_img_zombie z = { .pid = 73, .pgid = 71, .sid = 1,
				    .exit_code = 0x100, .exit_signal = 17 };
	char long_data[100];
	unsigned long long bv = 7;
	const char *name;
	FILE *f;
	int i;

	mode = argv[2];
	for (i = 0; i < SLS_IMG_NRLIMIT; i++)
		p.rlim[i][0] = p.rlim[i][1] = ~0ULL;
	p.rlim[7][0] = 1024;		/* RLIMIT_NOFILE */
	p.rlim[7][1] = 4096;
	p.sigaction[1].handler = 0x401136;	/* SIGINT */
	p.sigaction[1].flags = 0x4000000;
	p.sigaction[1].restorer = 0x401000;
	p.sigaction[1].mask = 0x4;
	p.sigaction[14].handler = 1;		/* SIGTERM, SIG_IGN */
	for (i = 0; i < SLS_IMG_NREGS; i++)
		th.regs[i] = 0x1000 + i;
	th.regs[16] = 0x401136;			/* rip */
	th.regs[19] = 0x7ffd0000;		/* rsp */
	memcpy(xstate + 512, &bv, sizeof(bv));

	rec(SLS_REC_EPOCH, &e, sizeof(e));
	rec(SLS_REC_PROC, &p, sizeof(p));
	rec(SLS_REC_THREAD, &th, sizeof(th));
	rec(SLS_REC_XSTATE, xstate, sizeof(xstate));
	name = "/home/foo bar";
	path.len = !strcmp(mode, "tail") ? 100 : strlen(name);
	rec2(SLS_REC_PATH, &path, sizeof(path), name, strlen(name));
	name = "/usr/bin/caf\xc3\xa9";
	path.kind = SLS_IMG_PATH_EXE;
	path.len = strlen(name);
	rec2(SLS_REC_PATH, &path, sizeof(path), name, path.len);
	rec(SLS_REC_MM, &mm, sizeof(mm));
	name = "/bin/foo";
	vma.path_len = strlen(name);
	rec2(SLS_REC_VMA, &vma, sizeof(vma), name, vma.path_len);
	vma = (struct sls_img_vma){ .start = 0x7ffd0000, .end = 0x7ffd2000,
				    .vm_flags = 0xb, .kind = SLS_VMA_STACK };
	rec(SLS_REC_VMA, &vma, sizeof(vma));
	name = "/tmp/x";
	file.path_len = strlen(name);
	rec2(SLS_REC_FILE, &file, sizeof(file), name, file.path_len);
	file = (struct sls_img_file){ .id = 5, .kind = SLS_FILE_CHR,
				      .flags = 0x8002, .mode = 020666,
				      .rdev = 0x103 };
	name = "/dev/null";
	file.path_len = strlen(name);
	rec2(SLS_REC_FILE, &file, sizeof(file), name, file.path_len);
	rec(SLS_REC_FD, &fd, sizeof(fd));
	rec2(SLS_REC_PIPE, &pipe, sizeof(pipe), "ping\x01", pipe.len);
	memset(long_data, 'a', sizeof(long_data));
	pipe.id = 1235;
	pipe.len = sizeof(long_data);
	rec2(SLS_REC_PIPE, &pipe, sizeof(pipe), long_data, pipe.len);
	rec2(SLS_REC_UNIX, &un, sizeof(un), "\0abstracthi", 11);
	rec(SLS_REC_EVENTFD, &efd, sizeof(efd));
	rec(SLS_REC_ZOMBIE, &z, sizeof(z));
	rec(99, "xyz", 3);
	if (!strcmp(mode, "cut"))
		len -= 8;
	else
		len += 64;	/* zero padding up to the end of a block */

	f = fopen(argv[1], "w");
	if (!f || fwrite(stream, 1, len, f) != len || fclose(f))
		return 1;
	return 0;
}
EOF
gcc -Wall -O2 -I"$SLS_REPO/include/uapi" -I"$SLS_REPO/tools/sls" \
	-I"$SLS_REPO/fs/slsfs" -o "$WORK/gen" "$WORK/gen.c" \
	> "$WORK/build.log" 2>&1 ||
	{ echo "building the generator failed:"; cat "$WORK/build.log"; exit 1; }

STORE=$WORK/store
mkdir -p "$STORE/app"
"$WORK/gen" "$STORE/app/12" good > /dev/null || { echo "gen failed"; exit 1; }
ln -s 12 "$STORE/app/latest"

# expect_rc RC DESC CMD...: CMD exits RC; a failure is one line on stderr.
expect_rc() {
	local want=$1 desc=$2 rc
	shift 2
	"$@" > "$WORK/out" 2> "$WORK/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "$desc: exit $rc, expected $want"
		cat "$WORK/out" "$WORK/err"
		exit 1
	fi
	if [ "$want" -ne 0 ] && [ "$(wc -l < "$WORK/err")" -ne 1 ]; then
		echo "$desc: exit $rc without exactly one line on stderr:"
		cat "$WORK/err"
		exit 1
	fi
}

# expect_err PATTERN: the error line matches the extended regexp PATTERN.
expect_err() {
	grep -qE -- "$1" "$WORK/err" ||
		{ echo "error does not match '$1':"; cat "$WORK/err"; exit 1; }
}

# expect_lines FILE: every line of stdin is a whole line of FILE.
expect_lines() {
	local line

	while IFS= read -r line; do
		grep -qxF -- "$line" "$1" ||
			{ echo "missing line: '$line'"; cat "$1"; exit 1; }
	done
}

expect_rc 0 "dump app 12" "$SLSCTL" --store "$STORE" dump app 12
expect_lines "$WORK/out" <<'EOF'
epoch 12 full region=0x1000-0x2000 procs 1 time 2026-11-25T13:00:00Z
proc pid 71 ppid 1 pgid 71 sid 1 threads 1 comm "foo" uid 1000 gid 100
  euid 1001 suid 1002 fsuid 1003 egid 101 sgid 102 fsgid 103 securebits 0x0
  cap inheritable 0x0 permitted 0x0 effective 0x1ff
  umask 0022 personality 0x0 exit_signal 17 pending 0x0
  rlimits nofile 1024/4096
  sig 2 handler 0x401136 flags 0x4000000 restorer 0x401000 mask 0x4
  sig 15 handler ign flags 0x0 restorer 0x0 mask 0x0
thread tid 72 ip 0x401136 sp 0x7ffd0000 blocked 0x10000 comm "worker"
       r15 0000000000001000      r14 0000000000001001      r13 0000000000001002
  orig_rax 000000000000100f      rip 0000000000401136       cs 0000000000001011
  pending 0x0 altstack 0x0 size 0 flags 0x0
  robust_list 0x0 len 0 rseq 0x0 len 0 sig 0x53053053
  clear_child_tid 0x0 xstate 576
xstate 576 bytes xfeatures 0x7
path cwd "/home/foo bar"
path exe "/usr/bin/caf\xc3\xa9"
mm obj 50331719 brk 0x4c5000-0x4e6000 stack 0x7ffd1000 vmas 2
  auxv AT_PAGESZ 0x1000 AT_ENTRY 0x401000
vma 0x400000-0x401000 r-xp file "/bin/foo" pgoff 0 flags 0x875
vma 0x7ffd0000-0x7ffd2000 rw-s stack pgoff 0 flags 0xb
file id 3 reg flags 0x8002 pos 42 mode 0100644 "/tmp/x"
file id 5 chr flags 0x8002 pos 0 rdev 1:3 mode 020666 "/dev/null"
fd 1 -> file 3 cloexec
pipe id 1234 size 65536 len 5 "ping\x01"
pipe id 1235 size 65536 len 100 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"...
unix ino 555 connected peer 556 shutdown 0 backlog 0 addr "\x00abstract" data 2 "hi"
eventfd count 5 flags 0x1 semaphore
type 99 len 3
EOF
# One line per record, with the proc's, thread's and mm's indented lines.
records=$(grep -c '^[a-z]' "$WORK/out")
[ "$records" -eq 18 ] ||
	{ echo "$records records shown, expected 18:"; cat "$WORK/out"; exit 1; }
cp "$WORK/out" "$WORK/text"

expect_rc 0 "dump app (latest)" "$SLSCTL" --store "$STORE" dump app
cmp -s "$WORK/out" "$WORK/text" ||
	{ echo "dump app differs from dump app 12"; exit 1; }
expect_rc 0 "dump app latest" "$SLSCTL" --store "$STORE/" dump app latest
cmp -s "$WORK/out" "$WORK/text" ||
	{ echo "dump app latest differs from dump app 12"; exit 1; }

expect_rc 0 "dump --json" "$SLSCTL" --store "$STORE" dump --json app 12
python3 -m json.tool "$WORK/out" > /dev/null ||
	{ echo "--json is not JSON:"; cat "$WORK/out"; exit 1; }
python3 - "$WORK/out" <<'PY' || exit 1
import json, sys

recs = json.load(open(sys.argv[1]))
def fail(msg):
    print(msg)
    sys.exit(1)

types = [r['type'] for r in recs]
want = ['epoch', 'proc', 'thread', 'xstate', 'path', 'path', 'mm', 'vma',
        'vma', 'file', 'file', 'fd', 'pipe', 'pipe', 'unix', 'eventfd', 'zombie', '99']
if types != want:
    fail(f'types {types}, expected {want}')
by = {}
for r in recs:
    by.setdefault(r['type'], r)
checks = [
    (by['epoch'], {'epoch': 12, 'full': True, 'region_start': 0x1000,
                   'region_end': 0x2000, 'nr_procs': 1,
                   'time_ns': 1795611600 * 10**9 + 5, 'offset': 0}),
    (by['proc'], {'pid': 71, 'ppid': 1, 'comm': 'foo', 'uid': 1000,
                  'euid': 1001, 'cap_effective': 0x1ff, 'umask': 0o22}),
    (by['zombie'], {'pid': 73, 'pgid': 71, 'exit_code': 0x100}),
    (by['thread'], {'tid': 72, 'comm': 'worker', 'blocked': 0x10000,
                    'xstate_size': 576, 'rseq_sig': 0x53053053}),
    (by['xstate'], {'size': 576, 'xfeatures': 7}),
    (by['path'], {'kind': 'cwd', 'path': '/home/foo bar'}),
    (recs[5], {'kind': 'exe', 'path': '/usr/bin/caf\u00e9'}),
    (by['mm'], {'obj': 12 << 22 | 71, 'start_brk': 0x4c5000, 'brk': 0x4e6000,
                'nr_vmas': 2,
                'auxv': [[6, 4096], [9, 0x401000]]}),
    (by['vma'], {'start': 0x400000, 'end': 0x401000, 'prot': 'r-xp',
                 'kind': 'file', 'path': '/bin/foo', 'vm_flags': 0x875}),
    (by['file'], {'id': 3, 'kind': 'reg', 'flags': 0x8002, 'pos': 42,
                  'path': '/tmp/x'}),
    (by['fd'], {'fd': 1, 'file_id': 3, 'cloexec': True}),
    (by['pipe'], {'id': 1234, 'size': 65536, 'len': 5, 'data': 'ping\x01'}),
    (recs[13], {'len': 100, 'data': 'a' * 64}),
    (by['unix'], {'ino': 555, 'peer_ino': 556, 'state': 'connected',
                  'addr': '\x00abstract', 'data': 'hi'}),
    (by['eventfd'], {'count': 5, 'flags': 1, 'semaphore': True}),
    (by['99'], {'len': 3}),
]
for rec, fields in checks:
    for k, v in fields.items():
        if rec.get(k) != v:
            fail(f'{rec["type"]}: {k} is {rec.get(k)!r}, expected {v!r}')
regs = by['thread']['regs']
if regs['rip'] != 0x401136 or regs['rsp'] != 0x7ffd0000 or regs['gs'] != 0x101a:
    fail(f'thread regs {regs}')
sig = by['proc']['sigactions']
if [s['sig'] for s in sig] != [2, 15] or sig[0]['handler'] != 0x401136:
    fail(f'sigactions {sig}')
if by['proc']['rlimits']['nofile'] != [1024, 4096]:
    fail(f'rlimits {by["proc"]["rlimits"]}')
PY

# Damaged streams: the records before the damage, then one line naming it.
mkdir "$STORE/bad"
for mode in magic crc epoch tail cut; do
	off=$("$WORK/gen" "$STORE/bad/12" $mode) || { echo "gen $mode"; exit 1; }
	expect_rc 1 "dump of a bad $mode" "$SLSCTL" --store "$STORE" dump bad 12
	case $mode in
	magic) why="byte $off: bad record magic 0xdeadbeef" ;;
	crc) why="byte $off: record checksum 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}" ;;
	epoch) why="byte $off: record of epoch 11 in epoch 12" ;;
	tail) why="byte $off: path record of 21 bytes, short of its 8 \\+ 100" ;;
	# the unknown record, the last, has its header and no payload
	cut) why="byte [0-9]+: payload of 3 bytes cut short at 0" ;;
	esac
	expect_err "^slsctl: dump bad: $STORE/bad/12: $why\$"
	head -n 1 "$WORK/out" | grep -q '^epoch 12 ' ||
		{ echo "bad $mode: the records before it are not shown"; exit 1; }
	lines=$(grep -c '^[a-z]' "$WORK/out")
	case $mode in
	magic) [ "$lines" -eq 2 ] ;;
	crc|epoch) [ "$lines" -eq 3 ] ;;
	tail) [ "$lines" -eq 4 ] ;;
	cut) [ "$lines" -eq 17 ] ;;
	esac || { echo "bad $mode: $lines records shown"; cat "$WORK/out"; exit 1; }
	expect_rc 1 "dump --json of a bad $mode" "$SLSCTL" --store "$STORE" \
		dump --json bad 12
	python3 -m json.tool "$WORK/out" > /dev/null ||
		{ echo "bad $mode: --json is not JSON"; cat "$WORK/out"; exit 1; }
done

# The records must bear the epoch of their file, latest's too.
cp "$STORE/app/12" "$STORE/app/13"
expect_rc 1 "dump of epoch 12 as 13" "$SLSCTL" --store "$STORE" dump app 13
expect_err "^slsctl: dump app: $STORE/app/13: byte 0: record of epoch 12 in epoch 13\$"
ln -sfn 13 "$STORE/app/latest"
expect_rc 1 "dump latest, epoch 12 as 13" "$SLSCTL" --store "$STORE" dump app
expect_err "^slsctl: dump app: $STORE/app/13: byte 0: record of epoch 12 in epoch 13\$"
rm "$STORE/app/latest"
expect_rc 1 "dump without latest" "$SLSCTL" --store "$STORE" dump app
expect_err "^slsctl: dump app: $STORE/app/latest: No such file or directory\$"

expect_rc 1 "missing epoch" "$SLSCTL" --store "$STORE" dump app 7
expect_err "^slsctl: dump app: $STORE/app/7: No such file or directory\$"
expect_rc 2 "dump without NAME" "$SLSCTL" --store "$STORE" dump
expect_rc 2 "dump with 3 operands" "$SLSCTL" --store "$STORE" dump app 12 13
expect_rc 2 "dump of a bad EPOCH" "$SLSCTL" --store "$STORE" dump app 0x10
expect_rc 2 "dump of a bad NAME" "$SLSCTL" --store "$STORE" dump ../app 12
expect_rc 2 "dump --bogus" "$SLSCTL" --store "$STORE" dump --bogus app

# ls and rm need the root of an slsfs mount.
expect_rc 1 "ls of a plain directory" "$SLSCTL" --store "$STORE" ls
expect_err "^slsctl: ls $STORE: not a mount point, so not of slsfs\$"
expect_rc 1 "ls --json of /" "$SLSCTL" --store / ls --json
expect_err "^slsctl: ls /: a mount of [^ ]+, not of slsfs\$"
expect_rc 1 "ls of a missing store" "$SLSCTL" --store "$WORK/none" ls
expect_rc 2 "ls with an operand" "$SLSCTL" --store "$STORE" ls app
mkdir "$STORE/empty"
expect_rc 1 "rm in a plain directory" "$SLSCTL" --store "$STORE" rm empty
[ -d "$STORE/empty" ] || { echo "rm removed a directory outside slsfs"; exit 1; }
expect_rc 2 "rm without NAME" "$SLSCTL" --store "$STORE" rm
expect_rc 2 "rm of a bad NAME" "$SLSCTL" --store "$STORE" rm ..

# ls and rm on a store that /proc/self/mountinfo and /sys show as an slsfs
# mount, in a copy of slsctl that reads both from files of the test: ls
# takes the last mount of the store's real path (escaped, for its space),
# the device of its MAJ:MIN, and the kernel's figures of a loaded
# partition only.
FAKE=$WORK/fake
S="$WORK/my store"
mkdir -p "$FAKE/sls/loop0:alpha" "$FAKE/block" "$S/alpha" "$S/beta" "$S/gamma"
printf '50 1 0:5 / %s rw - tmpfs tmpfs rw\n' "${S// /\\040}" > "$FAKE/mountinfo"
printf '99 1 7:0 / %s rw shared:7 - slsfs /dev/sdz ro\n' "${S// /\\040}" \
	>> "$FAKE/mountinfo"
ln -s ../../devices/virtual/block/loop0 "$FAKE/block/7:0"
touch "$S/alpha/1" "$S/alpha/2" "$S/alpha/10" "$S/alpha/x3" "$S/beta/2" "$S/junk"
ln -s 10 "$S/alpha/latest"
mkdir "$S/alpha/4"	# not an epoch: a directory
printf '71\n72\n' > "$FAKE/sls/loop0:alpha/members"
for kv in last_stop_ns=123456 last_flush_ns=2000000 bytes_written=8192 \
	  period_ms=100 epoch=10 durable_epoch=9 pages_shadowed=2; do
	echo "${kv#*=}" > "$FAKE/sls/loop0:alpha/${kv%=*}"
done
echo 'pid 7: a "bad" thing' > "$FAKE/sls/loop0:alpha/last_error"
sed -e "s|\"/proc/self/mountinfo\"|\"$FAKE/mountinfo\"|" \
    -e "s|\"/sys/kernel/sls/partitions\"|\"$FAKE/sls\"|" \
    -e "s|\"/sys/dev/block/%s\"|\"$FAKE/block/%s\"|" \
	"$SLS_REPO/tools/sls/slsctl.c" > "$WORK/fake-slsctl.c"
for f in mountinfo sls block/%s; do
	grep -qF "\"$FAKE/$f\"" "$WORK/fake-slsctl.c" ||
		{ echo "slsctl.c no longer has the path the test makes $f"; exit 1; }
done
gcc -O2 -Wall -I"$SLS_REPO/tools/sls" -I"$SLS_REPO/include/uapi" \
	-I"$SLS_REPO/fs/slsfs" -o "$WORK/fake-slsctl" "$WORK/fake-slsctl.c" \
	"$SLS_REPO/tools/sls/slsctl_dump.c" > "$WORK/build.log" 2>&1 ||
	{ echo "building the copy of slsctl failed:"; cat "$WORK/build.log"; exit 1; }

expect_rc 0 "ls" "$WORK/fake-slsctl" --store "$S" ls
cat > "$WORK/want" <<'EOF'
NAME   MEMBERS  EPOCHS  LATEST  STOP_US  FLUSH_US  BYTES  PERIOD_MS
alpha        2       3      10      123      2000   8192        100
beta         0       1       2        -         -      -          -
gamma        0       0       -        -         -      -          -
EOF
diff -u "$WORK/want" "$WORK/out" || { echo "ls: wrong table"; exit 1; }
expect_rc 0 "ls --json" "$WORK/fake-slsctl" --store "$S/" ls --json
python3 - "$WORK/out" <<'PY' || exit 1
import json, sys

got = json.load(open(sys.argv[1]))
unknown = dict.fromkeys(('stop_us', 'flush_us', 'bytes', 'period_ms', 'epoch',
                         'durable_epoch', 'pages_shadowed', 'last_error'))
want = [
    {'name': 'alpha', 'loaded': True, 'members': 2, 'epochs': 3, 'latest': 10,
     'stop_us': 123, 'flush_us': 2000, 'bytes': 8192, 'period_ms': 100,
     'epoch': 10, 'durable_epoch': 9, 'pages_shadowed': 2,
     'last_error': 'pid 7: a "bad" thing'},
    dict(name='beta', loaded=False, members=0, epochs=1, latest=2, **unknown),
    dict(name='gamma', loaded=False, members=0, epochs=0, latest=None,
         **unknown),
]
if got != want:
    print(f'ls --json:\n{got}\nexpected\n{want}')
    sys.exit(1)
PY
mkdir "$S/delta"
expect_rc 0 "rm" "$WORK/fake-slsctl" --store "$S" rm delta
[ ! -e "$S/delta" ] || { echo "rm left the directory"; exit 1; }
expect_rc 1 "rm of a missing partition" "$WORK/fake-slsctl" --store "$S" rm delta
expect_err "^slsctl: rm delta: rmdir $S/delta: No such file or directory\$"
expect_rc 1 "ls of a subdirectory" "$WORK/fake-slsctl" --store "$S/alpha" ls
expect_err "^slsctl: ls $S/alpha: not a mount point, so not of slsfs\$"

expect_rc 0 "--help" "$SLSCTL" --help
cp "$WORK/out" "$WORK/help"
for c in ls rm dump; do
	grep -qE "^  $c +[a-z]" "$WORK/help" ||
		{ echo "slsctl --help does not list $c"; exit 1; }
	expect_rc 0 "$c --help" "$SLSCTL" "$c" --help
	grep -q "^usage: slsctl \[--store DIR\] $c " "$WORK/out" ||
		{ echo "$c --help printed no usage:"; cat "$WORK/out"; exit 1; }
done

echo "dump shows 18 records of every type as text and JSON and stops at a bad magic, checksum, epoch or length, or a string past its record; ls lists and rm removes in a store shown as slsfs, and refuse one that is not"
