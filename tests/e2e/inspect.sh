#!/bin/sh
# inspect.sh: the data inspector, on screen and in batch mode.
#   x shows the side panel at 120 columns (and says so when 80 are too
#     few); it decodes the bytes at the cursor.
#   X gives it the keys: a row picked, Enter, a value typed, Enter writes
#     it (copy and shared mode, checked on disk after w); u undoes it in
#     one step; e toggles the endianness.
#   Shared mode: a change made by another process shows in the panel.
#   Batch: set writes, inspect prints one value, read-only refuses set.
. "${srcdir:-.}/tests/e2e/lib.sh"

f=$E2E_DIR/f.bin
orig=$E2E_DIR/orig.bin
out=$E2E_DIR/out
err=$E2E_DIR/err
make_pattern "$orig" 65536

# ---- the panel, in each writable mode ----------------------------------------
for mode in copy shared; do
    cp "$orig" "$f"
    if [ "$mode" = copy ]; then start 120x30 "$f"; else start 120x30 -s "$f"; fi
    see "$mode: the editor is up" 'mmhex  f\.bin'
    keys x
    see "$mode: x shows the panel" 'inspect 0x0 little endian'
    # Bytes 00 01 02 03: 0x03020100 as int32, little endian.
    see "$mode: int32 of the bytes at the cursor" 'int32 +50462976'
    keys X
    see_msg "$mode: X gives the panel the keys" 'arrows pick a row'
    keys e
    see "$mode: e toggles the endianness" 'INSPECT 0x0 big endian'
    see "$mode: ... and int32 follows it" 'int32 +\* ?66051'
    keys e
    see "$mode: e again: little endian" 'INSPECT 0x0 little endian'
    keys Down Down Down Down Down Enter # uint32
    see_msg "$mode: Enter opens a prompt for the row's type" 'uint32 @0x0: '
    literal 0xdeadbeef
    keys Enter
    see_msg "$mode: Enter writes the value" 'uint32 at 0x0 set to 3735928559 \(ef be ad de\)'
    see "$mode: the hex pane shows the bytes" '^00000000 . ef be ad de 04 05'
    see "$mode: the panel shows the value" 'uint32 +3735928559'
    keys Escape
    see "$mode: Esc gives the keys back" 'inspect 0x0 little endian'
    keys w
    see_msg "$mode: w writes" 'wrote|flushed'
    expect_eq "$mode: the bytes on disk" "$(file_hex "$f" 0 6)" "ef be ad de 04 05"
    keys u
    see "$mode: u undoes the set in one step" 'uint32 +50462976'
    keys w
    see_msg "$mode: w writes the undo" 'wrote|flushed'
    expect_eq "$mode: the bytes on disk again" "$(file_hex "$f" 0 6)" "00 01 02 03 04 05"
    # A value that does not fit is refused with a message.
    keys X Home Enter # int8
    literal 300
    keys Enter
    see_msg "$mode: a value that does not fit is refused" 'does not fit int8'
    expect_eq "$mode: ... and nothing is written" "$(file_hex "$f" 0 2)" "00 01"
    keys Escape
    if [ "$mode" = shared ]; then
        poke "$f" 0 78 56 34 12
        keys C-l
        see "shared: another process's change shows in the panel" 'int32 +305419896'
    fi
    keys x
    see "$mode: x hides the panel (24 bytes a row again)" '^00000018 . 18 19'
    keys Q
    wait_exit
done

# ---- too narrow ----------------------------------------------------------------
start "$f"
see "80 columns: the editor is up" 'mmhex  f\.bin'
keys x
see_msg "x says the terminal is too narrow" 'too narrow \(80 columns; it needs 94\)'
keys Q
wait_exit

# ---- batch -------------------------------------------------------------------------
cp "$orig" "$f"
"$MMHEX" -e 'set u16 0x10 0x1234' -e write "$f" >"$out" 2>"$err"
expect_eq "batch set exits 0" "$?" 0
expect_eq "batch set: the bytes on disk" "$(file_hex "$f" 14 6)" "0e 0f 34 12 12 13"
"$MMHEX" -e 'inspect u32 0x10' "$f" >"$out" 2>"$err"
expect_eq "batch inspect prints one value" "$(cat "$out")" "319951412"
"$MMHEX" -e 'endian big' -e 'inspect i16 0x10' "$f" >"$out" 2>"$err"
expect_eq "batch inspect follows endian" "$(cat "$out")" "13330"
"$MMHEX" -e 'set u32 end-2 1' -e write "$f" >"$out" 2>"$err"
expect_eq "batch set past the end fails" "$?" 1
expect_match "... and says why" "$(cat "$err")" 'would pass the end of the file'
cp "$f" "$orig"
"$MMHEX" -r -e 'set u16 0x10 1' "$f" >"$out" 2>"$err"
rc=$?
expect_match "read-only refuses set" "$rc $(cat "$err")" '^[1-9].*read-only'
expect_eq "... and the file is untouched" "$(cmp "$f" "$orig" && echo same)" same
"$MMHEX" -r -e 'inspect u16 0x10' "$f" >"$out" 2>"$err"
expect_eq "read-only still inspects" "$(cat "$out")" "4660"

finish
