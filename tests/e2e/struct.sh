#!/bin/sh
# struct.sh: the structure screen and the struct command, on disk images
# the real tools make.
#   s opens the tree at the field under the cursor; Enter opens a node and
#     jumps to a field (its bytes highlighted, the status row naming it);
#     e edits a field in its own type (copy mode: on disk only after w;
#     u undoes it in one step).
#   Another process rewriting the table shows after Ctrl-L.
#   A tiny terminal does not break the screen.
#   Batch: struct prints the tree as text and JSON, the values as
#     `sfdisk --dump` gives them; a 1 TiB sparse image is as quick as a
#     small one.
. "${srcdir:-.}/tests/e2e/lib.sh"

PATH="$PATH:/sbin:/usr/sbin"
command -v sfdisk >/dev/null 2>&1 || skip "sfdisk is not installed (apt-get install fdisk)"

img=$E2E_DIR/disk.img
truncate -s 64M "$img"
printf 'label: dos\nstart=2048, size=20480, type=83\nstart=22528, size=10240, type=82, bootable\n' |
    sfdisk -q "$img" >/dev/null || skip "sfdisk could not partition a file"

# ---- batch: the values against sfdisk's -----------------------------------
out=$("$MMHEX" -e 'struct --depth 3' "$img")
expect_match "batch: the root" "$out" '^MBR @0x0 \+67108864: DOS partition table'
dump=$(sfdisk --dump "$img")
for p in 1 2; do
    start=$(printf '%s\n' "$dump" | sed -n "s/.*disk.img$p : start= *\([0-9]*\),.*/\1/p")
    size=$(printf '%s\n' "$dump" | sed -n "s/.*disk.img$p : .*size= *\([0-9]*\),.*/\1/p")
    got=$(printf '%s\n' "$out" | awk -v p="partition $p @" 'index($0, p) {f=1} f && /first LBA/ {print $NF; exit}')
    expect_eq "batch: partition $p's first LBA is sfdisk's" "$got" "$start"
    got=$(printf '%s\n' "$out" | awk -v p="partition $p @" 'index($0, p) {f=1} f && / sectors @/ {print $NF; exit}')
    expect_eq "batch: partition $p's sectors are sfdisk's" "$got" "$size"
done
json=$("$MMHEX" -e 'struct print --json --depth 2' "$img")
expect_match "batch: JSON" "$json" '^\{"name":"MBR","offset":0,"size":67108864'
if command -v python3 >/dev/null 2>&1; then
    if printf '%s' "$json" | python3 -m json.tool >/dev/null 2>&1; then ok "batch: the JSON parses"; else fail "batch: the JSON does not parse"; fi
fi
"$MMHEX" -e struct "$E2E_DIR" >/dev/null 2>"$E2E_DIR/err"
expect_match "batch: a directory gets one message" "$(cat "$E2E_DIR/err")" 'directory'
head -c 4096 /dev/zero >"$E2E_DIR/zeros"
"$MMHEX" -e struct "$E2E_DIR/zeros" >/dev/null 2>"$E2E_DIR/err"
expect_match "batch: no format known" "$(cat "$E2E_DIR/err")" 'no format known at 0x0'

# ---- the screen ---------------------------------------------------------------
cp "$img" "$E2E_DIR/orig.img"
start 100x30 "$img"
see "the editor is up" 'mmhex  disk\.img'
keys :
literal 'goto 0x1c7'
keys Enter
keys s
see "s opens at the cursor's field" 'structure MBR > partition 1  \(5 of 7\)'
see "the field is picked" '^>000001c6 +4 +first LBA +2048'
keys e
see_msg "e asks for the value" 'first LBA \(now 2048\) ='
literal 4096
keys Enter
see_msg "Enter writes it" 'first LBA at 0x1c6 set to 4096'
see "the tree shows it" 'first LBA +4096'
expect_eq "copy mode: the disk is untouched" "$(file_hex "$img" 454 4)" "00 08 00 00"
keys Down Down
see "the partition's contents moved with it" '^>00200000 .*contents'
keys h
see "h goes up" 'structure MBR  \(2 of 7\)'
keys Down Enter
see "Enter opens partition 2" 'structure MBR > partition 2'
keys Down Down Down Down Down Enter
see "Enter on a field jumps to it" 'partition 2 · sectors = 10240'
see_msg "... and says where" 'sectors at 0x1da \(4 bytes\)'
keys w
see_msg "w writes" 'wrote'
expect_eq "the edit on disk" "$(file_hex "$img" 454 4)" "00 10 00 00"
keys u w
see_msg "u undoes the edit in one step, w writes that" 'wrote'
expect_eq "the disk is back" "$(file_hex "$img" 454 4)" "00 08 00 00"
# Another process changes partition 1's type.
poke "$img" 450 8e
keys s Home Down
keys C-l
see "another process's change shows" 'type +0x8e \(Linux LVM\)'
keys q
resize 30 8
keys s
see "a tiny terminal still shows the tree" 'structure'
resize 100 30
keys q Q
wait_exit

# ---- read-only: edits refused ----------------------------------------------------
start 100x30 -r "$img"
see "read-only: up" 'READ-ONLY'
keys :
literal 'goto 0x1c6'
keys Enter s e
literal 1
keys Enter
see_msg "read-only: the edit is refused" 'read-only'
keys q Q
wait_exit

# ---- a 1 TiB GPT image with an ext4 partition -------------------------------------
if command -v sgdisk >/dev/null 2>&1 && command -v mkfs.ext4 >/dev/null 2>&1; then
    g=$E2E_DIR/gpt.img
    truncate -s 1T "$g"
    sgdisk -n 1:2048:+64M -t 1:8300 -c 1:root -n 2:0:+16M -t 2:8200 "$g" >/dev/null 2>&1
    mkfs.ext4 -F -q -E offset=1048576 "$g" 64M >/dev/null 2>&1
    out=$("$MMHEX" -r -e 'struct --depth 7 --kids 40' "$g")
    expect_match "GPT: detected" "$out" '^GPT @0x0 \+1099511627776: GUID partition table'
    dump=$(sfdisk --dump "$g")
    for p in 1 2; do
        start=$(printf '%s\n' "$dump" | sed -n "s/.*gpt.img$p : start= *\([0-9]*\),.*/\1/p")
        size=$(printf '%s\n' "$dump" | sed -n "s/.*gpt.img$p : .*size= *\([0-9]*\),.*/\1/p")
        uuid=$(printf '%s\n' "$dump" | sed -n "s/.*gpt.img$p : .*uuid=\([0-9A-F-]*\).*/\1/p")
        expect_match "GPT entry $p: sfdisk's LBAs" "$out" "GPT entry $p @.*LBA $start-$((start + size - 1))"
        expect_match "GPT entry $p: sfdisk's unique GUID" "$out" "unique GUID @.*: $uuid"
    done
    expect_match "GPT: the ext4 superblock nested in entry 1" "$out" 's_magic @0x100438 \+2: 0xef53'
    # Started elsewhere, nothing is detected (the first rows were not
    # read); at the start the format is found, and named where we go.
    start 120x30 -r -g 0x100438 "$g"
    see "GPT: up at the superblock" '0x0000100438/'
    sleep 0.5
    if row -2 | grep -q 'GPT'; then fail "GPT: nothing read for the status row before offset 0 is shown"; else ok "GPT: nothing read for the status row before offset 0 is shown"; fi
    keys Q
    wait_exit
    start 120x30 -r "$g"
    see "GPT: the start names the protective MBR" 'protective MBR · boot code'
    keys :
    literal 'goto 0x100438'
    keys Enter
    see "GPT: the status row names the ext4 field" 'superblock · s_magic = 0xef53'
    keys s
    see "GPT: s opens in the superblock" 'structure .*GPT partition 1 > superblock'
    see "GPT: ... at s_magic" '^>0000100438 +2 +s_magic +0xef53'
    keys h
    see "GPT: h goes up to the partition" 'structure GPT > partitions > GPT partition 1  '
    keys h
    see "GPT: h again: the partitions" 'structure GPT > partitions  \(1 of 128\)'
    keys Q
    wait_exit
else
    echo "GPT part skipped: sgdisk (gdisk) or mkfs.ext4 (e2fsprogs) is not installed"
fi

# ---- a 1 TiB sparse image -----------------------------------------------------------
big=$E2E_DIR/big.img
truncate -s 1T "$big"
dd if="$img" of="$big" bs=512 count=1 conv=notrunc 2>/dev/null
t0=$(date +%s%N)
out=$("$MMHEX" -e 'struct --depth 2' "$big")
t1=$(date +%s%N)
expect_match "1 TiB: the tree" "$out" '^MBR @0x0 \+1099511627776'
ms=$(((t1 - t0) / 1000000))
echo "1 TiB image: struct took $ms ms"
finish
