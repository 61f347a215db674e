#!/bin/sh
# select.sh: selections that do things, on the screen and on disk.
#   v + moves shows the selection's ends and length; y copies, o pastes, u
#   undoes; fill (:) and transform (t) in copy mode (disk after w) and
#   shared mode (disk at once); a large fill asks, shows progress and Esc
#   undoes it whole; `xxd -r` applies an exported patch to a copy, which
#   then equals the written file; Y (copy as) reaches tmux's buffer via
#   OSC 52.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/f.bin
orig=$E2E_DIR/orig.bin
make_pattern "$orig" 65536
cp "$orig" "$f"

# ---- select, copy, paste, undo (copy mode) ---------------------------------------
start "$f"
see "the editor is up" 'COPY  64\.0 KiB'
keys v l l l
see_row "the status row shows the selection's ends and length" -3 '^sel 0x00000000-0x00000003 len 4 '
keys y
see_msg "y copies it" '^copied 4 B from 0x0; o pastes'
see_row "... and the cursor's offset is back on the status row" -3 '^0x00000003/0x'
keys j h h h
see_off "moved to the next row" 10
keys o
see_msg "o pastes at the cursor" '^paste: 4 B written at 0x10-0x13; u undoes'
see "the bytes are pasted over" '^00000010 . 00 01 02 03 14 15'
expect_eq "copy mode: the file is untouched before w" "$(cmp "$f" "$orig" && echo same)" same
keys u
see "u undoes the paste" '^00000010 . 10 11 12 13 14 15'

# ---- fill and transform, written with w ------------------------------------------
keys v l l l
see_row "a new selection" -3 '^sel 0x00000010-0x00000013 len 4 '
keys :
literal 'fill aa bb'
keys Enter
see_msg "fill with a pattern" '^fill aa bb: 0x10-0x13 \(4 B\)'
see "the selection is filled" '^00000010 . aa bb aa bb 14'
keys t
see_msg "t opens the transform prompt" '^transform:'
literal 'xor ff'
keys Enter
see_msg "transform xor" '^transform xor ff: 0x10-0x13'
see "the bytes are xored" '^00000010 . 55 44 55 44 14'
keys w
see_msg "w writes them" '^wrote 4 bytes'
expect_eq "copy mode: on disk after w" "$(file_hex "$f" 15 6)" "0f 55 44 55 44 14"
keys u
see "u undoes the transform" '^00000010 . aa bb aa bb 14'
keys w
see_msg "w writes the undo" '^wrote 4 bytes'
expect_eq "... on disk" "$(file_hex "$f" 16 4)" "aa bb aa bb"

# ---- OSC 52: copy as hex into tmux's buffer -------------------------------------
tm set-option -s set-clipboard on >/dev/null 2>&1
keys l l l # undo took the cursor to 0x10: the selection is 0x10-0x13 again
see_row "the selection again" -3 '^sel 0x00000010-0x00000013 len 4 '
keys Y
see_msg "Y opens the copy-as prompt" 'copy as'
literal hex
keys Enter
see_msg "copy as hex to the terminal clipboard" 'as hex to the terminal clipboard \(OSC 52\)'
got=""
i=0
while [ $i -lt 40 ] && [ -z "$got" ]; do
    got=$(tm show-buffer 2>/dev/null)
    [ -n "$got" ] || sleep 0.05
    i=$((i + 1))
done
if [ -z "$got" ]; then
    echo "SKIP (one check): tmux made no buffer from OSC 52 (set-clipboard unsupported here)"
else
    expect_eq "OSC 52 reached tmux's buffer" "$got" "aabbaabb"
fi
keys q
wait_exit 0 >/dev/null

# ---- shared mode: at once ---------------------------------------------------------
cp "$orig" "$f"
start -s "$f"
see "shared mode" 'SHARED  64\.0 KiB'
keys g
literal 0x20
keys Enter v l l l l l l l :
literal 'transform swap4'
keys Enter
see_msg "swap4 in shared mode" '^transform swap4: 0x20-0x27'
expect_eq "shared mode: on disk at once" "$(file_hex "$f" 32 8)" "23 22 21 20 27 26 25 24"
keys :
literal 'fill 00'
keys Enter
see "fill 00" '^00000020 . 00 00 00 00 00 00 00 00  28'
keys w
see_msg "w flushes" 'flushed'
expect_eq "shared mode: the fill on disk" "$(file_hex "$f" 31 10)" "1f 00 00 00 00 00 00 00 00 28"
keys u
see "u undoes it" '^00000020 . 23 22 21 20'
expect_eq "shared mode: the undo on disk" "$(file_hex "$f" 32 4)" "23 22 21 20"
keys q
wait_exit 0 >/dev/null

# ---- a large fill: the question, progress, Esc undoes it whole --------------------
big=$E2E_DIR/big.bin
truncate -s 96M "$big"
printf 'head' | dd of="$big" conv=notrunc 2>/dev/null
start "$big"
see "the big file" 'COPY  96\.0 MiB'
keys v G :
literal 'fill 5a'
keys Enter
see_msg "a fill above 64 MiB asks, naming the memory" \
    '^fill 96\.0 MiB -> about 96\.0 MiB of private memory until written; continue\? \(y/n\)$'
keys y
see_msg "it shows progress" '^fill 5a: [0-9]+% .*Esc cancels' 20
keys Escape
see_msg "Esc cancels it" 'fill 5a cancelled; nothing was changed' 20
keys g
literal 0
keys Enter
see "the bytes are as before" '^0* . 68 65 61 64 00'
keys w
see_msg "nothing to write" 'nothing to write'
expect_eq "the file is untouched" "$(file_hex "$big" 0 5)" "68 65 61 64 00"
keys q
wait_exit 0 >/dev/null

# ---- patch export, xxd -r -------------------------------------------------------------
if ! command -v xxd >/dev/null 2>&1; then
    echo "SKIP (patch checks): xxd is not installed"
else
    cp "$orig" "$f"
    cp "$orig" "$E2E_DIR/copy.bin"
    "$MMHEX" -e 'goto 5' -e 'put de ad' -e 'goto 0x3ff0' -e 'select' -e 'goto 0x4012' \
        -e 'transform not' -e "patch export $E2E_DIR/p.xxd" -e write "$f"
    expect_eq "the patch was written" "$(head -c 16 "$E2E_DIR/p.xxd")" "00000005: dead
0"
    xxd -r "$E2E_DIR/p.xxd" "$E2E_DIR/copy.bin"
    expect_eq "xxd -r applies it: the copy equals the written file" \
        "$(cmp "$E2E_DIR/copy.bin" "$f" && echo same)" same
    cp "$orig" "$E2E_DIR/again.bin"
    "$MMHEX" -s -e "patch apply $E2E_DIR/p.xxd" "$E2E_DIR/again.bin"
    expect_eq "patch apply (batch, shared) gives the same file" \
        "$(cmp "$E2E_DIR/again.bin" "$f" && echo same)" same
fi

finish
