#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkfs.slsfs, built on the host, formats regular files: both superblock
# slots parse with the right checksums, generations and geometry, the
# blocks before the log are zeroed, a segment size is honoured, and a
# device that is too small or a bad segment size is refused.
. "$(dirname "$0")/../../lib/hosttest.sh"

# The binary scripts/sls-build built, the one the guest gets.
MKFS=$(sls_out_dir "$CONFIG")/tools/mkfs.slsfs
[ -x "$MKFS" ] || { echo "no $MKFS: run scripts/sls-build first"; exit 1; }

# check_image IMG SIZE SEG_BLOCKS: the superblocks and zeroed blocks of a
# freshly formatted IMG of SIZE bytes with SEG_BLOCKS-block segments.
check_image() {
	python3 - "$@" <<'PY'
import struct, sys

img, size, seg_blocks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
BLOCK, SEG_START, SUPER_MAGIC = 4096, 8, 0x534c5346
FMT = '<IIIIQQQQQQQIIQQQQQ16s120s'
NAMES = ('magic crc version block_size generation store_id compat ro_compat '
         'incompat nr_blocks seg_start seg_blocks nr_segs log_lsn log_addr '
         'ckpt_addr ckpt_lsn mkfs_time uuid reserved').split()

def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
    return crc ^ 0xffffffff

def fail(msg):
    print(f'{img}: {msg}')
    sys.exit(1)

assert struct.calcsize(FMT) == 256
if crc32c(b'123456789') != 0xe3069283:
    fail('the test\'s own CRC-32C is wrong')

with open(img, 'rb') as f:
    data = f.read()
if len(data) != size:
    fail(f'size changed from {size} to {len(data)}')

nr_blocks = size // BLOCK
want = {
    'magic': SUPER_MAGIC, 'version': 1, 'block_size': BLOCK,
    'compat': 0, 'ro_compat': 0, 'incompat': 0, 'nr_blocks': nr_blocks,
    'seg_start': SEG_START, 'seg_blocks': seg_blocks,
    'nr_segs': (nr_blocks - SEG_START) // seg_blocks,
    'log_lsn': 1, 'log_addr': SEG_START, 'ckpt_addr': 0, 'ckpt_lsn': 0,
    'reserved': bytes(120),
}
supers = []
for slot in range(2):
    block = data[slot * BLOCK:(slot + 1) * BLOCK]
    raw = block[:256]
    sup = dict(zip(NAMES, struct.unpack(FMT, raw)))
    for name, value in want.items():
        if sup[name] != value:
            fail(f'slot {slot}: {name} is {sup[name]!r}, expected {value!r}')
    if sup['generation'] != slot:
        fail(f'slot {slot}: generation {sup["generation"]}')
    crc = crc32c(raw[:4] + bytes(4) + raw[8:])
    if sup['crc'] != crc:
        fail(f'slot {slot}: crc {sup["crc"]:#x}, computed {crc:#x}')
    if any(block[256:]):
        fail(f'slot {slot}: block not zero after the superblock')
    if not sup['store_id']:
        fail(f'slot {slot}: zero store_id')
    uuid = sup['uuid']
    if uuid[6] >> 4 != 4 or uuid[8] >> 6 != 2:
        fail(f'slot {slot}: uuid {uuid.hex()} is not RFC 4122 version 4')
    if not sup['mkfs_time']:
        fail(f'slot {slot}: zero mkfs_time')
    supers.append(sup)

for name in NAMES:
    if name not in ('crc', 'generation') and supers[0][name] != supers[1][name]:
        fail(f'slots differ in {name}')
if any(data[2 * BLOCK:(SEG_START + 1) * BLOCK]):
    fail(f'blocks 2..{SEG_START} are not zero')
PY
}

# fresh SIZE: a file of SIZE bytes full of 0xff, so that unwritten blocks show.
fresh() {
	python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * $1)" \
		> "$WORK/img"
}

# expect_rc RC DESC CMD...: CMD exits RC; a refusal says why on stderr.
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
	if [ "$want" -ne 0 ] && ! grep -q . "$WORK/err"; then
		echo "$desc: exit $rc without a message on stderr"
		exit 1
	fi
}

fresh $((16 << 20))
expect_rc 0 "16 MiB file" "$MKFS" "$WORK/img"
grep -q "15 segments" "$WORK/out" ||
	{ echo "no '15 segments' in the summary:"; cat "$WORK/out"; exit 1; }
check_image "$WORK/img" $((16 << 20)) 256 || exit 1

fresh $((16 << 20))
expect_rc 0 "--segment-size 64K --quiet" "$MKFS" --segment-size 64K --quiet "$WORK/img"
[ ! -s "$WORK/out" ] || { echo "--quiet printed:"; cat "$WORK/out"; exit 1; }
check_image "$WORK/img" $((16 << 20)) 16 || exit 1

fresh $((20 << 20))
expect_rc 0 "-s 2097152" "$MKFS" -q -s 2097152 "$WORK/img"
check_image "$WORK/img" $((20 << 20)) 512 || exit 1

# A size that is not a whole number of blocks: the tail is left out.
fresh $(((16 << 20) + 1000))
expect_rc 0 "16 MiB + 1000 bytes" "$MKFS" -q "$WORK/img"
check_image "$WORK/img" $(((16 << 20) + 1000)) 256 || exit 1

truncate -s 1M "$WORK/small"
expect_rc 1 "1 MiB file" "$MKFS" "$WORK/small"
grep -qF "$WORK/small" "$WORK/err" ||
	{ echo "the refusal does not name the file:"; cat "$WORK/err"; exit 1; }
expect_rc 1 "4 segments do not fit in 4 MiB" "$MKFS" "$WORK/img" -s 4M

for size in 48K 32K 512M 1000 0 -1M 1X abc ""; do
	expect_rc 2 "--segment-size '$size'" "$MKFS" -s "$size" "$WORK/img"
done
expect_rc 2 "no device" "$MKFS"
expect_rc 2 "two devices" "$MKFS" "$WORK/img" "$WORK/small"
expect_rc 2 "unknown option" "$MKFS" --no-such-option "$WORK/img"
expect_rc 1 "missing file" "$MKFS" "$WORK/no-such-file"
expect_rc 1 "a directory" "$MKFS" "$WORK"
expect_rc 0 "--help" "$MKFS" --help
grep -q "usage" "$WORK/out" || { echo "--help printed no usage"; exit 1; }

echo "formats 16 and 20 MiB files with 64 KiB, 1 MiB and 2 MiB segments; refuses a 1 MiB file and bad segment sizes"
