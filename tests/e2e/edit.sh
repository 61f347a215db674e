#!/bin/sh
# edit.sh: editing in each mode, checked on the screen and on disk.
#   copy (default): edits stay private until w; undo/redo; quitting with
#     unwritten edits asks; W writes a new file (and asks before replacing).
#   shared (-s): another process sees an edit at once; f flushes.
#   read-only (-r): editing is refused and the file is untouched.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/f.bin
orig=$E2E_DIR/orig.bin
want=$E2E_DIR/want.bin
make_pattern "$orig" 65536
cp "$orig" "$f"

# ---- copy mode --------------------------------------------------------------
start "$f"
see "copy mode is the default" 'mmhex  f\.bin  COPY  64\.0 KiB +\[hex\]$'
keys i
see_msg "i enters edit mode" 'EDIT'
see "the title says EDIT" 'COPY  64\.0 KiB  EDIT'
literal deadbe
see "hex digits overwrite bytes in the hex pane" '^00000000 . de ad be 03 04 05'
keys Tab
see "Tab in edit mode switches to the text pane" ' \[text\]$'
literal 'Hi!'
see "text overwrites bytes in the text pane" '^00000000 . de ad be 48 69 21 06 07  08 09 0a 0b 0c 0d 0e 0f  \.\.\.Hi!\.{10}$'
keys Escape
see_msg "Esc leaves edit mode" '^$'
see "the title marks unwritten edits" 'COPY  64\.0 KiB \* +\[text\]$'
see "the edited row's glyph says C (private copy)" '^00000000 C '
see_off "the cursor followed the typing" 6
expect_eq "copy mode: the file on disk is untouched" "$(cmp "$f" "$orig" && echo same)" same

keys u
see "u undoes the last typing run" '^00000000 . de ad be 03 04 05 06'
see_msg "... and says so" 'undone'
keys u
see "u again undoes the first run" '^00000000 . 00 01 02 03 04 05 06'
keys u
see_msg "nothing more to undo" 'nothing to undo'
keys C-r
see "Ctrl-R redoes" '^00000000 . de ad be 03 04 05 06'
keys C-r
see "Ctrl-R redoes the second run" '^00000000 . de ad be 48 69 21 06'
keys C-r
see_msg "nothing more to redo" 'nothing to redo'
expect_eq "undo/redo leave the file untouched" "$(cmp "$f" "$orig" && echo same)" same

keys w
see_msg "w writes and says how much" '^wrote 6 bytes'
cp "$orig" "$want"
poke "$want" 0 de ad be 48 69 21
expect_eq "the file has exactly the edits" "$(cmp "$f" "$want" && echo same)" same
see "the title no longer marks edits" 'COPY  64\.0 KiB +\[text\]$'

# A new edit, then quit: it asks; n cancels; q y quits without writing.
keys Tab G i
see_msg "edit mode again" 'EDIT'
literal 77
keys Escape
see "the last byte edited" '0000fff0 . f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe 77'
keys q
see_msg "q with unwritten edits asks" 'unwritten edits'
keys n
see_msg "n cancels" 'cancelled'
see "... and the editor is still up" 'COPY  64\.0 KiB \*'
keys q
see_msg "q asks again" 'unwritten edits'
keys y
see "y quits" '^\[exited 0\]'
expect_eq "the unwritten edit never reached the file" "$(cmp "$f" "$want" && echo same)" same

# ---- shared mode ---------------------------------------------------------------
cp "$orig" "$f"
start -s "$f"
see "-s opens shared" 'mmhex  f\.bin  SHARED  64\.0 KiB'
keys g
literal 0x100
keys Enter i
see_msg "edit mode" 'EDIT'
literal 5a
keys Escape
see "the edit shows" '^00000100 . 5a 01 02'
if wait_until 5 sh -c "[ \"\$(dd if='$f' bs=1 skip=256 count=1 2>/dev/null | od -An -tx1 | tr -d ' ')\" = 5a ]"; then
    ok "shared: another process reads the edit before any write"
else
    fail "shared: the file has $(file_hex "$f" 256 1) at 0x100, want 5a"
fi
keys f
see_msg "f flushes" '^flushed [0-9]+ dirty pages'
cp "$orig" "$want"
poke "$want" 256 5a
expect_eq "shared: the file has exactly the edit" "$(cmp "$f" "$want" && echo same)" same
keys q
see "shared: q quits without asking (nothing is unwritten)" '^\[exited 0\]'

# ---- read-only ------------------------------------------------------------------
cp "$orig" "$f"
start -r "$f"
see "-r opens read-only" 'mmhex  f\.bin  READ-ONLY'
keys i
see_msg "i is refused" '^read-only: edits are refused'
keys 1 2 a b
keys w
see_msg "w is refused" '^read-only: nothing to write'
keys q
see "read-only: q quits" '^\[exited 0\]'
expect_eq "read-only: the file is untouched" "$(cmp "$f" "$orig" && echo same)" same

# ---- W: write to a new file -------------------------------------------------------
cp "$orig" "$f"
new=$E2E_DIR/new.bin
start "$f"
keys g
literal end-2
keys Enter i
literal 0102
keys Escape
see "two bytes edited at the end" '^0000fff0 . f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd 01 02'
keys W
see_msg "W prompts for a path" '^save as:'
literal "$new"
keys Enter
see_msg "... and saves" "^saved to .*new\.bin"
cp "$orig" "$want"
poke "$want" 65534 01 02
expect_eq "the new file has the edits" "$(cmp "$new" "$want" && echo same)" same
expect_eq "the original file is untouched" "$(cmp "$f" "$orig" && echo same)" same
keys W
literal "$new"
keys Enter
see_msg "W to an existing path asks" 'new\.bin exists: replace it\? \(y/n\)'
keys n
see_msg "n cancels" 'cancelled'
keys g
literal 0
keys Enter i
literal ff
keys Escape
see "one more edit" '^00000000 . ff 01 02'
keys W
literal "$new"
keys Enter
see_msg "asked again" 'exists: replace it'
keys y
see_msg "y replaces it" "^saved to .*new\.bin"
poke "$want" 0 ff
expect_eq "the replaced file has all the edits" "$(cmp "$new" "$want" && echo same)" same
keys Q
see "Q quits without asking" '^\[exited 0\]'
expect_eq "the original file is still untouched" "$(cmp "$f" "$orig" && echo same)" same

finish
