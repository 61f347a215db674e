#!/bin/sh
# marks.sh: getting around a big file, driven through the real editor.
#   bookmarks: M names one, ' jumps, B lists (Enter jumps, d deletes);
#     they survive a restart (XDG_STATE_HOME points into the test dir) and
#     an unwritable state directory is said once, never fatal;
#   the jump list: Ctrl-O back, Ctrl-N forward; a jump lands a third down;
#   prompts: Up/Down recall earlier lines; Tab completes a path at save-as
#     and switches the find prompt between hex and text;
#   layout: > and < change bytes per row, K groups, D decimal offsets, and
#     a -w wider than the terminal is refused with a message.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/f.bin
state=$E2E_DIR/state
make_pattern "$f" 1048576
cp "$f" "$E2E_DIR/orig.bin"
E2E_ENV="XDG_STATE_HOME=$state"

# ---- bookmarks and the jump list ------------------------------------------------
start "$f"
see "the editor starts" 'mmhex  f\.bin  COPY'
keys M
see_msg "M asks for a name" '^mark:$'
literal a
keys Enter
see_msg "the mark is set at the cursor" '^mark a at 0x0$'
keys g
literal 0x8000
keys Enter
see_off "g goes to the offset" 8000
# 20 data rows: the target's row is the 7th (rows/3 = 6 rows above it),
# screen line 8 (the title is line 1).
see_row "a jump lands a third of the way down" 8 '^00008000 '
keys "'"
see_msg "' asks for a mark" '^jump to mark:$'
literal a
keys Enter
see_off "' jumps to the mark" 0
keys C-o
see_off "Ctrl-O goes back to where the jump left from" 8000
keys C-n
see_off "Ctrl-N goes forward again" 0
keys C-n
see_msg "nothing further forward" 'no later jump'
keys g
literal 0x1234
keys Enter
keys M
literal hdr
keys Enter
see_msg "a second mark" '^mark hdr at 0x1234$'
keys g
literal 0
keys Enter
see_off "back at the start" 0
keys B
see "B shows the list" 'bookmarks \(2\)'
see "... with both marks" '> a +0x000000000000'
see "... in the order made" '  hdr +0x000000001234'
keys Down Enter
see_off "Enter on the list jumps to the picked mark" 1234
keys B
see "the list again" 'bookmarks \(2\)'
keys d
see "d deletes the picked mark" 'bookmarks \(1\)'
see "... hdr is left" '> hdr +0x000000001234'
keys Escape
see "Esc leaves the list" '^00001'
keys M
literal z
keys Enter
see_msg "one more mark" '^mark z at 0x1234$'
keys q
wait_exit 0
n=$(ls "$state/mmhex" 2>/dev/null | grep -c '\.marks$')
expect_eq "the marks are kept in one file in XDG_STATE_HOME/mmhex" "$n" 1
expect_match "the file names the edited file" "$(head -n 1 "$state"/mmhex/*.marks)" \
    "^mmhex-marks 1 [0-9]+ [0-9]+ .*/f\.bin$"
expect_eq "no temporary file is left" "$(ls -A "$state/mmhex" | grep -vc '\.marks$')" 0

start "$f"
see "the editor starts again" 'mmhex  f\.bin  COPY'
keys "'"
literal hdr
keys Enter
see_off "a mark made before the restart" 1234
keys "'"
literal a
keys Enter
see_msg "a deleted mark stays deleted" 'no mark a'

# ---- prompt history -------------------------------------------------------------
keys g
literal 0x100
keys Enter
see_off "goto 0x100" 100
keys g
literal 0x200
keys Enter
see_off "goto 0x200" 200
keys g Up
see_msg "Up recalls the last line" '^goto: 0x200$'
keys Up
see_msg "Up again the one before" '^goto: 0x100$'
keys Down
see_msg "Down comes back" '^goto: 0x200$'
keys Down
see_msg "Down past the newest: what was typed (nothing)" '^goto: ?$'
keys Up Up Enter
see_off "a recalled line runs" 100

# ---- the find prompt: hex or text, Tab switches ---------------------------------
keys /
see_msg "the / prompt says it takes hex" '^/ hex:$'
keys Tab
see_msg "Tab: text" '^/ text:$'
literal ABC
keys Enter
see_off "the pattern was taken as text (A B C at 0x141)" 141
keys /
keys Tab Tab
see_msg "Tab twice: hex again" '^/ hex:$'
keys Escape

# ---- Tab completes a path at save-as ----------------------------------------------
mkdir "$E2E_DIR/subdir"
: >"$E2E_DIR/out-alpha"
: >"$E2E_DIR/out-beta"
keys W
see_msg "W asks for a path" '^save as:$'
literal "$E2E_DIR/sub"
keys Tab
see_msg "Tab completes the one match (a directory: with its slash)" 'subdir/$'
literal copy.bin
keys Enter
see_msg "the save ran" 'saved|wrote'
wait_until 10 test -s "$E2E_DIR/subdir/copy.bin"
expect_eq "the completed path holds the copy" \
    "$(cmp "$E2E_DIR/subdir/copy.bin" "$E2E_DIR/orig.bin" && echo same)" same
keys W
literal "$E2E_DIR/out-"
keys Tab
see_row "several matches are listed above the prompt" -2 '2: out-alpha out-beta'
see_msg "... and the common part stays" 'out-$'
keys Escape

# ---- layout: bytes per row, grouping, offsets -------------------------------------
keys g
literal 0
keys Enter
see_row "16 bytes per row at 80 columns" 2 '^00000000 . 00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  '
keys '<'
see_row "< shows 8 bytes per row" 3 '^00000008 . 08 09 0a 0b 0c 0d 0e 0f  '
keys '>'
see_row "> shows 16 again" 3 '^00000010 . 10 11 '
keys '>'
see_msg "> past the terminal's width is refused" 'width 24 does not fit 80 columns: showing 16'
keys K
see_row "K groups by 2" 2 '^00000000 . 0001 0203 0405 0607  0809 '
keys K
see_row "K again groups by 4" 2 '^00000000 . 00010203 04050607  08090a0b '
keys K K
see_row "K twice more: back to 1" 2 '^00000000 . 00 01 02 '
keys D
see_row "D: decimal offsets" 3 '^00000016 . 10 11 '
keys D
see_row "D again: hex" 3 '^00000010 . 10 11 '
keys q
wait_exit 0

# ---- -w wider than the terminal: refused with a message ---------------------------
start "$f" -w 64
see_msg "-w 64 at 80 columns is refused, with a message" 'width 64 does not fit 80 columns: showing 16'
see_row "the rows that fit are shown" 2 '^00000000 . 00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  '
keys q
wait_exit 0
start 300x24 "$f" -w 64
see_row "-w 64 in 300 columns is taken" 2 ' 3e 3f  '
keys q
wait_exit 0

# ---- an unwritable state directory: said once, never fatal --------------------------
: >"$E2E_DIR/statefile"
E2E_ENV="XDG_STATE_HOME=$E2E_DIR/statefile"
start "$f"
see "the editor starts" 'mmhex  f\.bin  COPY'
keys M
literal q
keys Enter
see_msg "a mark that cannot be kept says so" 'not kept after you quit'
keys g
literal 0x40
keys Enter
keys "'"
literal q
keys Enter
see_off "the mark still works in this session" 0
keys q
wait_exit 0

finish
