#!/bin/sh
# huge.sh: a 16 TiB - 4 KiB sparse file (ext4's largest) opens at once,
# shows its exact size, G reaches its last byte, and an edit of that byte
# written in copy mode lands on disk while the file stays sparse.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/huge.bin
size=$((16 * 1099511627776 - 4096)) # 0xffffffff000
last=$((size - 1))                  # 0xfffffffefff
truncate -s "$size" "$f" 2>/dev/null || skip "this filesystem cannot hold a $size-byte file"

start "$f"
# 16 TiB - 4 KiB is 15.99999... TiB: the title rounds down, never up to a
# size the file does not have.
see "the title shows the size" 'mmhex  huge\.bin  COPY  15\.9 TiB +\[hex\]$' 5
see_row "the status row shows the exact size" -3 '^0x00000000000/0xffffffff000 0\.0% '
see "offsets take 11 digits" '^00000000000 H -- -- --'
keys g
literal 50%
keys Enter
see_off "goto 50%" 7fffffff800
keys G
see_row "G reaches the last byte" -3 '^0xfffffffefff/0xffffffff000 100\.0% '
see "the last row is on screen" '^fffffffeff0 H -- -- -- -- -- -- -- --  -- -- -- -- -- -- -- --'
keys i
literal 5a
keys Escape
see "the last byte is edited" '^fffffffeff0 . 00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 5a'
expect_eq "nothing reached the file before w" "$(file_hex "$f" "$last" 1)" 00
keys w
see_msg "w writes one byte" '^wrote 1 bytes?'
expect_eq "the last byte on disk" "$(file_hex "$f" "$last" 1)" 5a
expect_eq "the byte before it is still 0" "$(file_hex "$f" $((last - 1)) 1)" 00
expect_eq "the size is unchanged" "$(stat -c %s "$f")" "$size"
used=$(du -k "$f" | cut -f1)
if [ "$used" -le 1024 ]; then ok "the file stays sparse (${used} KiB used)"; else fail "the file uses ${used} KiB"; fi
keys q
see "q quits without asking (all written)" '^\[exited 0\]'
out=$("$MMHEX" -r -e 'dump end-2 2' "$f")
expect_match "batch dump agrees" "$out" '^fffffffeffe: 00 5a '

finish
