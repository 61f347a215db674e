#!/bin/sh
# demo.sh: mmhex with no FILE (and with --demo) makes a sparse 8 GiB demo
# file in $TMPDIR, shows it, and leaves nothing behind after q. The demo is
# opened shared (its file is unlinked once mapped, so a copy-mode write
# could not reach it): an edit and w work.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

tmp=$E2E_DIR/tmp
mkdir "$tmp"
E2E_ENV="TMPDIR=$tmp"

for how in none --demo; do
    if [ "$how" = none ]; then start; else start --demo; fi
    see "$how: the title names the demo file" '^ mmhex  mmhex-demo-[A-Za-z0-9]+  [A-Z-]+  8\.0 GiB +\[hex\]$'
    see "$how: the first row holds an ELF header" '^000000000 . 7f 45 4c 46 02 01 01 00  6d 6d 68 65 78 20 64 65  \.ELF\.\.\.\.mmhex de$'
    see_row "$how: the status row shows 8 GiB" -3 '^0x000000000/0x200000000 0\.0% '
    keys g
    literal 1G
    keys Enter
    see "$how: a marker 1 GiB in" '^040000000 . 3d 3d 20 31 20 47 69 42 .*== 1 GiB into '
    keys G
    see_off "$how: G reaches the last byte" 1ffffffff
    see "$how: the tail text" 'mmhex demo$'
    keys i
    literal 21
    keys Escape
    see "$how: the last byte edited" 'mmhex dem!$'
    keys w
    see_msg "$how: w works on the demo" '^(flushed|wrote) '
    keys q
    see "$how: q quits" '^\[exited 0\]'
    left=$(ls -A "$tmp")
    expect_eq "$how: the demo file is gone from \$TMPDIR" "$left" ""
done

# Without a terminal: exit 1, and the demo file is not left behind.
TMPDIR=$tmp "$MMHEX" --demo </dev/null >/dev/null 2>"$E2E_DIR/err"
expect_eq "no terminal: exit 1" "$?" 1
expect_match "... says why" "$(cat "$E2E_DIR/err")" 'not a terminal'
expect_eq "... and leaves no demo file" "$(ls -A "$tmp")" ""

# A TMPDIR that cannot hold the demo: one clear line, exit 1.
TMPDIR=$E2E_DIR/nope "$MMHEX" --demo >/dev/null 2>"$E2E_DIR/err"
expect_eq "a missing TMPDIR: exit 1" "$?" 1
expect_match "... with a message" "$(cat "$E2E_DIR/err")" 'cannot create a demo file in .*nope'
expect_eq "... on one line" "$(wc -l <"$E2E_DIR/err" | tr -d ' ')" 1

finish
