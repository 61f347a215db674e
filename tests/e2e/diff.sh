#!/bin/sh
# diff.sh: mmhex A B, the two files side by side, driven in tmux.
#   both titles, '>' on the side with the keys, rows with a difference
#   marked '*' in both panes, the summary row's count (the tail of the
#   longer file is one difference);
#   . and , walk the differences in order, the tail hands the keys to B,
#   "no difference after here" at the end; A lists them, Enter jumps;
#   O (diffget) and C (diffput) copy a difference across, u undoes it, w
#   writes it: checked on disk with cmp, the other file untouched;
#   identical files: said, nothing marked or found; a click moves the keys,
#   Ctrl-W does not in edit mode;
#   a read-only side refuses a copy (-r; and a chmod 444 B as nobody);
#   q's question, answered w, writes the edits of both sides;
#   another process rewriting B at the same size, then truncating it: the
#   summary follows on its own, the editor says so and goes on;
#   R finds the shift of a B with a 16-byte header (identical at +0x10),
#   = sets it, --shift too;
#   80 columns stack the panes; typing and u move the count;
#   Esc stops the comparison of two cold 512 MiB files, another process's
#   change leaves it stopped, :diff starts it again;
#   two sparse 1 TiB files compare at once and . reaches a byte near the end.
. "${srcdir:-.}/tests/e2e/lib.sh"

need_tmux

a=$E2E_DIR/a
b=$E2E_DIR/b
orig=$E2E_DIR/orig

# flip FILE OFFSET: invert the byte at OFFSET (so it surely differs).
flip() {
    poke "$1" "$2" "$(printf '%02x' $((0x$(file_hex "$1" "$2" 1) ^ 0xff)))"
}

# clear_msg: let the summary show on the bottom row again (any key clears
# the message there: a harmless move right and back).
clear_msg() {
    keys l
    keys h
}

# A: 200 KiB of random bytes. B: A with bytes changed at 0x3e8 (one),
# 0xc350 (two) and 0x249f0 (one), and 100 bytes longer.
head -c 204800 /dev/urandom >"$a"
cp "$a" "$b"
flip "$b" 1000
flip "$b" 50000
flip "$b" 50001
flip "$b" 150000
head -c 100 /dev/urandom >>"$b"
cp "$b" "$orig"
expect_eq "the pair as cmp sees it" "$("$MMHEX" --cmp "$a" "$b" | tr '\n' ' ')" \
    "1000 1 50000 2 150000 1 204800 100 "

# ---- the screen ----------------------------------------------------------------
start 160x30 "$a" "$b"
see "A's title, with the keys" '^ mmhex  >A: a  COPY  200\.0 KiB'
see "B's title beside it" '│ mmhex  B: b  COPY  200\.[01] KiB'
see_row "the summary: three differences and the tail" -1 \
    '^4 differences, 104 B, first 0x3e8 last 0x32063 · read '
expect_match "a row with no difference is not marked" "$(row 2)" '^00000000 [^*].*│00000000 [^*]'

# ---- next and previous -------------------------------------------------------
keys .
see_msg ". goes to the first difference" '^difference at 0x3e8: 1 byte '
see_off "... the cursor on it" 3e8
see "its row is marked '*' in both panes" '^000003e0\*.*│000003e0\*'
see "... and the row after it is not" '^000003f0 [^*].*│000003f0 [^*]'
keys j
see_off "j: the cursor off the difference" 3f8
# With the attributes: the differing byte is lit (bold white on red) in
# each pane, its neighbours are not.
lit=$(tm capture-pane -e -t e2e -p | grep '^.*000003e0' | grep -Eo '\[41m[0-9a-f]{2}' | sed 's/.*m//' | tr '\n' ' ')
expect_eq "the differing byte is lit in both panes, alone in its row" "$lit" \
    "$(file_hex "$a" 1000 1) $(file_hex "$b" 1000 1) "
keys k
see_off "k: back on it" 3e8
keys .
see_msg ". again: the second" '^difference at 0xc350: 2 bytes '
see_off "... the cursor on it" c350
keys .
see_msg ". again: the third" '^difference at 0x249f0: 1 byte '
keys .
see_msg "the tail of B: one difference" '^difference at 0x32000: 100 bytes '
see "... and the keys went to B, which has those bytes" '│ mmhex  >B: b '
expect_match "... A lost the '>'" "$(row 1)" '^ mmhex  A: a '
expect_match "... B's cursor at 0x32000" "$(row -3)" '│0x0*32000/0x32064 '
keys A
see "A: the list of differences, counted" '^ differences of A and B: 4 differences \(done\)'
see "... each with A's offset, length and bytes" '^  #2 +0x0000c350  2 B +A [0-9a-f]{2} [0-9a-f]{2}  B [0-9a-f]{2} [0-9a-f]{2}$'
see "... the tail: A has no bytes there" '^  #4 +0x00032000  100 B +A -- -- '
keys j
keys j
keys Enter
see "Enter on #3 jumps there, on the side with the keys" '^difference|^0x0*249f0/|│0x0*249f0/'
expect_match "... the list is gone, B has the cursor at 0x249f0" "$(row -3)" '│0x0*249f0/0x32064 '
keys :
literal diff
keys Enter
see_msg ":diff says the summary" '^4 differences, 104 B, first 0x3e8 last 0x32063 · read '
keys .
see_msg "from the list's jump, . goes on to the tail" '^difference at 0x32000: 100 bytes '
keys .
see_msg "past the last: no difference after here" '^no difference after here'
keys ,
see_msg ", goes back" '^difference at 0x249f0: 1 byte '
keys ,
see_msg ", again" '^difference at 0xc350: 2 bytes '
expect_match "... still on B" "$(row 1)" '│ mmhex  >B: b '

# ---- copying across ----------------------------------------------------------
keys C-w
see_msg "Ctrl-W: the keys to A" '^the keys go to A '
see "... A's title has the '>'" '^ mmhex  >A: a '
see_off "... A's cursor where B's was" c350
keys O
see_msg "O copies B's two bytes into A" '^diffget: 2 bytes copied from B '
see "... A is edited, B not" '^ mmhex  >A: a  COPY  200\.0 KiB \*.*│ mmhex  B: b  COPY  200\.[01] KiB  '
keys u
see_msg "u undoes the copy, one step" '^undone \(0 more\)'
keys O
see_msg "O again" '^diffget: 2 bytes copied from B '
keys w
see_msg "w writes A" '^wrote 2 bytes in 1 run'
expect_eq "on disk: that difference is gone, the rest stays" \
    "$("$MMHEX" --cmp "$a" "$b" | tr '\n' ' ')" "1000 1 150000 1 204800 100 "
expect_eq "... B on disk untouched" "$(cmp "$b" "$orig" && echo same)" same
clear_msg
see_row "the summary restarted after the edit: one fewer" -1 '^3 differences, 102 B, first 0x3e8 '
keys ,
see_msg ", from there: the first difference" '^difference at 0x3e8: 1 byte '
keys C
see_msg "C puts A's byte into B" '^diffput: 1 byte copied to B '
see "... B is edited" '│ mmhex  B: b  COPY  200\.[01] KiB \*'
expect_eq "... not yet on disk" "$(cmp "$b" "$orig" && echo same)" same
keys C-w
see "Ctrl-W: the keys to B" '│ mmhex  >B: b '
keys w
see_msg "w writes B" '^wrote 1 byte in 1 run'
expect_eq "on disk: B's byte 1000 is A's now" "$(file_hex "$b" 1000 1)" "$(file_hex "$a" 1000 1)"
expect_eq "... the two differ in one byte and the tail" \
    "$("$MMHEX" --cmp "$a" "$b" | tr '\n' ' ')" "150000 1 204800 100 "
keys .
see_msg "a copy never changes a size: the next is at 0x249f0" '^difference at 0x249f0: 1 byte '
keys C
see_msg "C from B" '^diffput: 1 byte copied to A '
see "... A is edited" '^ mmhex  A: a  COPY  200\.0 KiB \*'
keys C-w
see "Ctrl-W: back to A" '^ mmhex  >A: a '
keys u
see_msg "u on A undoes the copy (one step on the side it landed on)" '^undone '
see "... A is not edited any more" '^ mmhex  >A: a  COPY  200\.0 KiB  '
keys q
see "nothing unwritten: q quits" '^\[exited 0\]'
expect_eq "on disk at the end: as after the two writes" \
    "$("$MMHEX" --cmp "$a" "$b" | tr '\n' ' ')" "150000 1 204800 100 "

# ---- identical files, the mouse, edit mode ----------------------------------------
head -c 8192 /dev/urandom >"$E2E_DIR/c"
cp "$E2E_DIR/c" "$E2E_DIR/d"
start 160x30 "$E2E_DIR/c" "$E2E_DIR/d"
see_row "identical files: said" -1 '^identical \(read '
expect_eq "... no row marked" "$(screen | grep -c '^[0-9a-f]\{8\}\*')" 0
keys .
see_msg ". finds nothing" '^no difference after here'
keys O
see_msg "O: nothing to copy here" '^diffget: the bytes under the cursor are the same'
click 100 5
see "a click on B gives it the keys" '│ mmhex  >B: d '
click 10 5
see "a click on A gives them back" '^ mmhex  >A: c '
keys i
keys C-w
sleep 0.3
see "Ctrl-W in edit mode: the keys stay on A" '^ mmhex  >A: c  COPY  8\.0 KiB  EDIT'
keys Escape
keys C-w
see "... and go to B once out of it" '│ mmhex  >B: d '
keys q
see "q quits" '^\[exited 0\]'

# ---- a read-only side ----------------------------------------------------------
start 160x30 -r "$a" "$b"
see "-r: both read-only" '^ mmhex  >A: a  READ-ONLY.*│ mmhex  B: b  READ-ONLY'
keys .
see_msg "-r: . still walks" '^difference at 0x249f0'
keys O
see_msg "O refused: A is read-only" '^diffget: A is read-only'
keys C
see_msg "C refused: B is read-only" '^diffput: B is read-only'
keys q
see "q quits" '^\[exited 0\]'
expect_eq "... and nothing changed on disk" \
    "$("$MMHEX" --cmp "$a" "$b" | tr '\n' ' ')" "150000 1 204800 100 "

ro_note=""
if [ "$(id -u)" -ne 0 ]; then
    ro_note="a chmod 444 B needs root (to run as nobody); -r covered it"
elif ! command -v setpriv >/dev/null 2>&1; then
    ro_note="a chmod 444 B needs setpriv (util-linux); -r covered it"
else
    nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
    ro_dir=$(mktemp -d "${TMPDIR:-/tmp}/mmhex-e2e-diffro.XXXXXX")
    chmod 0755 "$ro_dir"
    cp "$a" "$ro_dir/a"
    cp "$b" "$ro_dir/b"
    chown 65534:65534 "$ro_dir/a"
    chmod 0644 "$ro_dir/a"
    chmod 0444 "$ro_dir/b"
    bin=$MMHEX
    if ! $nobody sh -c 'test -x "$1" && test -r "$1"' sh "$bin"; then
        cp "$MMHEX" "$ro_dir/mmhex"
        chmod 0755 "$ro_dir/mmhex"
        bin=$ro_dir/mmhex
    fi
    self=$MMHEX
    MMHEX=$(command -v setpriv)
    start 160x30 --reuid=65534 --regid=65534 --clear-groups "$bin" "$ro_dir/a" "$ro_dir/b"
    MMHEX=$self
    see "nobody: A in copy mode, B read-only by itself" '^ mmhex  >A: a  COPY .*│ mmhex  B: b  READ-ONLY'
    keys .
    see_msg "nobody: . walks" '^difference at 0x249f0'
    keys C
    see_msg "C into the read-only B refused" '^diffput: B is read-only'
    keys O
    see_msg "O into A works" '^diffget: 1 byte copied from B'
    keys w
    see_msg "w writes A" '^wrote 1 byte'
    keys q
    see "q quits" '^\[exited 0\]'
    expect_eq "nobody: B on disk untouched" "$(cmp "$b" "$ro_dir/b" && echo same)" same
    expect_eq "nobody: A took B's byte" "$(file_hex "$ro_dir/a" 150000 1)" "$(file_hex "$b" 150000 1)"
    rm -rf "$ro_dir"
fi
if [ -n "$ro_note" ]; then echo "note: $ro_note"; fi

# ---- quitting with the other side's edits unwritten -------------------------------
cp "$orig" "$b"
start 160x30 "$a" "$b"
keys .
see_msg "B afresh: . goes to 0x3e8" '^difference at 0x3e8: 1 byte '
keys C
see_msg "C: an unwritten edit in B, A has the keys" '^diffput: 1 byte copied to B '
keys q
see_msg "q asks about the unwritten edits" '^unwritten edits: quit and lose them\? \(y/n; w writes them first\)'
keys w
if wait_for '^\[exited|^wrote ' 5 >/dev/null; then :; fi
expect_eq "w at the quit question writes B's edit (the side without the keys)" \
    "$(file_hex "$b" 1000 1)" "$(file_hex "$a" 1000 1)"
keys Q
stop

# ---- another process -----------------------------------------------------------
cp "$orig" "$b"
start 160x30 "$a" "$b"
see_row "three differences again (A has 0xc350 now)" -1 '^3 differences, 102 B, first 0x3e8 '
# The same size, new bytes: a fourth difference at 0x10000.
flip "$b" 65536
clear_msg
see_row "B rewritten by another process: the count follows by itself" -1 \
    '^4 differences, 103 B, first 0x3e8 '
# And back to A's bytes at 0x3e8: one fewer, the first moves.
dd if="$a" of="$b" bs=1 skip=1000 seek=1000 count=1 conv=notrunc 2>/dev/null
clear_msg
see_row "... rewritten again: one fewer, the first moves" -1 '^3 differences, 102 B, first 0x10000 '
keys .
see_msg ". finds the outside change" '^difference at 0x10000: 1 byte '
# Truncated under the editor: B ends at 100000 now, A's tail is one
# difference from there.
truncate -s 100000 "$b"
see "the truncation is said" 'truncated to 100000 bytes'
clear_msg
see_row "... and the count follows: 0x10000 and A's tail" -1 \
    '^2 differences, .*first 0x10000 last 0x31fff '
keys .
see_msg ". goes on: A's tail" '^difference at 0x186a0: 104800 bytes'
see "... on A, the only side with it" '^ mmhex  >A: a '
keys q
see "q quits" '^\[exited 0\]'

# ---- the shift -----------------------------------------------------------------
{ head -c 16 /dev/zero; cat "$a"; } >"$b"
start 160x30 "$a" "$b"
see_row "a B with a 16-byte header: all differ" -1 ' differences?, '
keys R
see_msg "R finds the shift: 16 bytes inserted in B" '^realigned: B shifted \+0x10: 16 bytes inserted in B here'
clear_msg
see_row "... and the files are identical with it" -1 '^B shifted \+0x10 · identical \(read '
keys '='
literal 0
keys Enter
see_msg "= 0: aligned again" '^B aligned with A again'
clear_msg
see_row "... all differ again" -1 '^[0-9]+ differences?, '
keys '='
see_msg "= asks for the shift" '^shift B by:'
literal 0x10
keys Enter
see_msg "= 0x10: said" '^B shifted by \+0x10'
clear_msg
see_row "the summary: B shifted +0x10 and identical" -1 '^B shifted \+0x10 · identical \(read '
keys .
see_msg "nothing to find" '^no difference after here'
expect_match "B's cursor 16 bytes on" "$(row -3)" '│0x0*10/0x'
keys q
see "q quits" '^\[exited 0\]'
start 160x30 --shift=0x10 "$a" "$b"
see_msg "--shift=0x10: said" '^B shifted by \+0x10'
clear_msg
see_row "--shift=0x10 the same" -1 '^B shifted \+0x10 · identical'
keys q
start 160x30 --shift=-16 "$b" "$a"
see_msg "--shift=-16: said" '^B shifted by -0x10'
clear_msg
see_row "--shift=-16 the other way" -1 '^B shifted -0x10 · identical'
keys q

# ---- a narrow terminal ---------------------------------------------------------
cp "$orig" "$b"
start 80x24 "$a" "$b"
see "80 columns: A's title on the first row" '^ mmhex  >A: a '
see "... B's title on a row of its own" '^ mmhex  B: b '
expect_eq "... not beside A's" "$(screen | grep -c '│')" 0
expect_match "... B below A" "$(screen | grep -n '^ mmhex  B: b ' | cut -d: -f1)" '^1[0-9]$'
see "... the summary shown" '^3 differences, 102 B'
# Typing is an edit too: byte 0 of A made to differ, then undone.
keys i
literal "$(printf '%02x' $((0x$(file_hex "$b" 0 1) ^ 0xff)))"
keys Escape
clear_msg
see "typing a differing byte: the count follows" '^4 differences, 103 B, first 0x0 '
keys .
see "stacked: messages on B's last row" '^difference at 0x3e8: 1 byte '
see "... the summary stays under A" '^4 differences, 103 B, first 0x0 '
keys u
see "u: the count goes back" '^3 differences, 102 B, first 0x3e8 '
keys Q
see "Q quits" '^\[exited 0\]'
expect_eq "nothing was written" "$(cmp "$b" "$orig" && echo same)" same

# ---- Esc stops the comparison, :diff starts it again -----------------------------
# 512 MiB of random bytes each, out of the page cache: the comparison takes
# long enough (about a second here) to be stopped.
head -c 512M /dev/urandom >"$a"
cp "$a" "$b"
flip "$b" 524288000
"$MMHEX" -r -e 'evict all' "$a" >/dev/null
"$MMHEX" -r -e 'evict all' "$b" >/dev/null
start 160x30 "$a" "$b"
if wait_for 'comparing, Esc stops' 10 >/dev/null; then
    keys Escape
    see_msg "Esc stops the comparison" '^diff: comparison stopped \(:diff starts it again\)'
    clear_msg
    see_row "... the summary says so" -1 '^0 differences, 0 B so far · [0-9]+% stopped, :diff starts it again'
    flip "$b" 4096
    sleep 1
    clear_msg
    see_row "... a change by another process does not restart it" -1 '% stopped, :diff starts it again'
    keys :
    literal diff
    keys Enter
    see_msg ":diff starts it again" 'comparing, Esc stops|^2 differences'
    clear_msg
    see_row "... to the end: both differences" -1 '^2 differences, 2 B, first 0x1000 last 0x1f400000 · read ' 30
else
    echo "note: the 512 MiB comparison ended before Esc could stop it; that part did not run"
fi
keys Q
rm -f "$a" "$b"

# ---- two sparse 1 TiB files ------------------------------------------------------
rm -f "$a" "$b"
if truncate -s 1T "$a" 2>/dev/null && truncate -s 1T "$b" 2>/dev/null; then
    printf 'hello' | dd of="$a" bs=1 seek=4096 conv=notrunc 2>/dev/null
    printf 'hello' | dd of="$b" bs=1 seek=4096 conv=notrunc 2>/dev/null
    printf 'x' | dd of="$b" bs=1 seek=$((0x8000000000)) conv=notrunc 2>/dev/null
    printf 'yz' | dd of="$a" bs=1 seek=$((0xfffffff000)) conv=notrunc 2>/dev/null
    printf 'y' | dd of="$b" bs=1 seek=$((0xfffffff000)) conv=notrunc 2>/dev/null
    t0=$(date +%s)
    start 160x30 "$a" "$b"
    see_row "1 TiB: the comparison ends with two differences" -1 \
        '^2 differences, 2 B, first 0x8000000000 last 0xfffffff001 · read ' 20
    t1=$(date +%s)
    if [ $((t1 - t0)) -le 10 ]; then ok "1 TiB: in $((t1 - t0)) s"; else fail "1 TiB: took $((t1 - t0)) s"; fi
    keys .
    see_msg "1 TiB: . finds the middle" '^difference at 0x8000000000: 1 byte '
    keys .
    see_msg "1 TiB: . finds the end" '^difference at 0xfffffff001: 1 byte '
    keys .
    see_msg "1 TiB: none after" '^no difference after here'
    keys q
    see "q quits" '^\[exited 0\]'
else
    echo "note: this file system takes no 1 TiB sparse file; that part did not run"
fi

finish
