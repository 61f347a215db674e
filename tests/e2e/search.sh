#!/bin/sh
# search.sh: searching as a person does it: / and ? in both panes, n and N,
# wrapping, "not found", a long search on a multi-GiB file that shows
# progress and is cancelled with Esc, holes skipped in a huge sparse file,
# moving between data and holes, and find -a in batch mode.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/f.bin
make_pattern "$f" 65536
# Text to find: "NEEDLE" at 0x1000 and 0x8000, "needle" at 0x9000.
printf NEEDLE | dd of="$f" bs=1 seek=$((0x1000)) conv=notrunc 2>/dev/null
printf NEEDLE | dd of="$f" bs=1 seek=$((0x8000)) conv=notrunc 2>/dev/null
printf needle | dd of="$f" bs=1 seek=$((0x9000)) conv=notrunc 2>/dev/null

start "$f"
see "the editor is up" 'mmhex  f\.bin'

# Hex pane: hex bytes, blanks optional, ?? wildcard.
keys /
see_msg "/ opens the hex search prompt" '^/ hex:'
literal '4e 45 45'
keys Enter
see_off "a hex search finds the first match after the cursor" 1000
see_msg "... and says where" 'found 4e 45 45 at 0x1000'
keys n
see_off "n finds the next match" 8000
keys n
see_off "n wraps past the end back to the first" 1000
see_msg "... and says it wrapped" 'wrapped past the end'
keys N
see_off "N goes the other way (and wraps past the start)" 8000
keys /
literal '4e ?? 45 44'
keys Enter
see_off "?? matches any byte" 1000

# Text pane: text, escapes, \c for any case.
keys Tab /
see_msg "/ in the text pane takes text" '^/ text:'
literal 'needle'
keys Enter
see_off "a text search is case-sensitive" 9000
keys g
literal 0
keys Enter /
literal '\cneedle'
keys Enter
see_off "\\c makes it case-insensitive" 1000
keys ?
see_msg "? searches backward" '^\? text:'
literal 'NEEDLE'
keys Enter
see_off "a backward search from 0x1000 wraps to the last match" 8000

# Not found and malformed: a message, and the cursor stays.
keys /
literal 'haystack'
keys Enter
see_msg "an absent pattern: not found" "^not found: 'haystack'"
see_off "... and the cursor stays" 8000
keys Tab /
literal 'zz'
keys Enter
see_msg "a malformed hex pattern names what is wrong" 'not a hex digit'
keys /
literal '?? ??'
keys Enter
see_msg "wildcards alone are refused" 'matches anything'
see_off "... and the cursor stays" 8000
stop

# Batch: every match, one per line; not found fails.
out=$("$MMHEX" -r -e 'find -a -t NEEDLE' "$f")
expect_eq "find -a lists every match in decimal" "$(echo $out)" "4096 32768"
out=$("$MMHEX" -r -e 'find -a -t -i needle' "$f")
expect_eq "find -a -i ignores case" "$(echo $out)" "4096 32768 36864"
"$MMHEX" -r -e 'find -t haystack' "$f" >/dev/null 2>"$E2E_DIR/err"
expect_eq "a batch find that finds nothing exits 1" "$?" 1
expect_match "... with one line" "$(cat "$E2E_DIR/err")" "^mmhex: find -t haystack: not found: 'haystack'"
out=$("$MMHEX" -r -e 'find -x 4e 45 45 44 4c 45' -e 'dump +0 6' "$f" 2>&1)
expect_match "find moves the cursor for the next command" "$out" '^00001000: 4e 45 45 44 4c 45'
# details after a search: what it read and the page cache over its range;
# the scan reads with pread, so the mapping holds no page (Rss 0).
sync "$f"
dd if="$f" iflag=nocache count=0 2>/dev/null
out=$("$MMHEX" -r -e 'find -a -t NEEDLE' -e details "$f" 2>&1)
expect_match "details tells how the last search went" "$out" '^last search +found: scanned .* read '
expect_match "... and the page cache over its range" "$out" '^  page cache \(range\) +'
expect_match "... and the scan faulted nothing into the mapping" "$out" '^  Rss +0 B'

# A huge sparse file: holes are skipped, so the search ends at once.
h=$E2E_DIR/huge.img
if truncate -s $((16 * 1024 * 1024 * 1024 * 1024 - 4096)) "$h" 2>/dev/null; then
    printf 'island one' | dd of="$h" bs=1 seek=$((1 << 30)) conv=notrunc 2>/dev/null
    printf 'LAST ISLAND' | dd of="$h" bs=1 seek=$((5 << 40)) conv=notrunc 2>/dev/null
    out=$("$MMHEX" -r -e 'find -a -t ISLAND' "$h")
    expect_eq "a 16 TiB sparse file is searched through its holes" "$out" "$(((5 << 40) + 5))"
    start "$h"
    see "the huge file is open" 'huge\.img'
    keys ]
    see_off "] goes to the next data region" 40000000
    keys ]
    see_off "] again: the next island" 50000000000
    keys '{'
    see_off "{ goes back to the previous hole" 40001000
    keys Tab /
    literal 'LAST'
    keys Enter
    see_off "a text search crosses 5 TiB of holes" 50000000000
    stop
else
    echo "skipped the 16 TiB part: the file system refused the size"
fi

# A long search over a multi-GiB file of real (non-zero) data shows progress
# and Esc cancels it; the cursor stays. 2 GiB of the same page, written once.
big=$E2E_DIR/big.bin
head -c 4096 /dev/urandom >"$E2E_DIR/page"
i=0
while [ $i -lt 10 ]; do cat "$E2E_DIR/page" "$E2E_DIR/page" >"$E2E_DIR/p2"; mv "$E2E_DIR/p2" "$E2E_DIR/page"; i=$((i + 1)); done
# page is now 4 MiB; 512 of them make 2 GiB.
i=0
while [ $i -lt 512 ]; do cat "$E2E_DIR/page"; i=$((i + 1)); done >"$big"
start "$big"
see "the 2 GiB file is open" 'big\.bin'
keys g
literal 0x100
keys Enter
see_off "the cursor is at 0x100" 100
# Out of the page cache, the scan reads from disk (about 1 GiB/s here), so it
# cannot finish in the moment between showing its progress and the Esc.
sync "$big"
dd if="$big" iflag=nocache count=0 2>/dev/null
keys /
literal 'de ad be ef 01 02 03 04 05'
keys Enter
see_msg "a long search shows its progress" '^searching 0x[0-9a-f]+ [0-9]+% .*/s, Esc cancels' 20
keys Escape
see_msg "Esc cancels it" '^search cancelled at 0x'
see_off "... and the cursor stays where it was" 100
keys j
see_off "the editor takes keys again" 110
stop

finish
