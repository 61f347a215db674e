#!/bin/sh
# results.sh: find -a's results list as a person uses it: it opens with the
# right count and offsets and the bytes around each match; j/k, PgDn/PgUp,
# g/G and the wheel move; paging past the window (4096 matches) re-searches;
# Enter jumps (the status row shows the offset); Esc and q leave. And a
# pattern matching every byte of an 8 GiB sparse file: the list opens at
# once, the count climbs, keys are answered meanwhile, G lists the last
# matches before the count is known, and memory stays flat.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

# anon_of PATTERN: RssAnon (KiB: the memory the program allocates, not the
# file's pages the scan maps) of the mmhex process whose command line
# matches PATTERN (not its tmux server's, whose command line holds it too).
anon_of() {
    local p
    for p in $(pgrep -f "$1"); do
        if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = mmhex ]; then
            awk '/^RssAnon/ {print $2}' "/proc/$p/status" 2>/dev/null
            return
        fi
    done
    echo 0
}

# count: the count on the list's title row.
count() {
    row 1 | sed -n 's/^ find -a [^:]*: \([0-9]*\) match.*/\1/p'
}

# ---- a few matches ----------------------------------------------------------------
f=$E2E_DIR/f.bin
make_pattern "$f" 65536
printf NEEDLE | dd of="$f" bs=1 seek=$((0x1000)) conv=notrunc 2>/dev/null
printf NEEDLE | dd of="$f" bs=1 seek=$((0x8000)) conv=notrunc 2>/dev/null
printf NEEDLE | dd of="$f" bs=1 seek=$((0xfffa)) conv=notrunc 2>/dev/null

start "$f"
see "the editor is up" 'mmhex  f\.bin'
keys :
literal 'find -a -t NEEDLE'
keys Enter
see_row "the list opens with the count, done" 1 "^ find -a 'NEEDLE': 3 matches \(done\)"
see_row "the first match: index, offset, bytes around it" 2 \
    '^> #1 +0x00001000  fd fe ff 4e 45 45 44 4c 45 .*\.\.\.NEEDLE'
see_row "the second" 3 '^  #2 +0x00008000 '
see_row "the last, at the end of the file (its preview stops there)" 4 \
    '^  #3 +0x0000fffa  f7 f8 f9 4e 45 45 44 4c 45  +\.\.\.NEEDLE$'
see_msg "the bottom row says the keys" 'Enter jumps'
keys j
see_row "j moves down" 3 '^> #2 '
keys G
see_row "G: the last match" 4 '^> #3 '
keys k
see_row "k moves up" 3 '^> #2 '
keys Enter
see_off "Enter jumps to the match" 8000
see_msg "... and says which" '^match 2 of 3 at 0x8000$'
keys :
literal 'find -a -t NEEDLE'
keys Enter
see_row "the list again" 2 '^> #1 '
keys Escape
see "Esc leaves the list" '^ mmhex  f\.bin'
keys :
literal 'find -a -t NOWHERE'
keys Enter
see_msg "no match: no list, a message" "not found: 'NOWHERE'"

# ---- many matches: paging past the window ---------------------------------------
z=$E2E_DIR/zeros.bin
truncate -s 1M "$z"
start "$z"
see "the zeros are up" 'mmhex  zeros\.bin'
keys :
literal 'find -a -x 00'
keys Enter
see_row "1 MiB of zeros: a match per byte" 1 '^ find -a 00: 1048576 matches \(done\)' 60
# 22 item rows a page; 10 pages at a time, waiting for each group, 25
# times: 5500 matches down, past the 4096 the window holds.
i=1
while [ "$i" -le 25 ]; do
    keys -N 10 PageDown
    n=$((i * 220))
    if ! wait_for "^> #$((n + 1)) +0x$(printf '%08x' "$n") " 10; then
        fail "page group $i: the cursor is not on match $((n + 1))"
        break
    fi
    i=$((i + 1))
done
[ "$i" -gt 25 ] && ok "paging past the window re-searches forward (at match 5501, 0x157c)"
keys j j
see_row "j after paging" 4 '^> #5503 +0x0000157e '
keys End
see_row "End: the last match" 23 '^> #1048576 +0x000fffff '
keys -N 10 PageUp
see_row "PgUp from the end" 23 '^> #1048356 +0x000fff23 '
keys Home
see_row "Home: the first again" 2 '^> #1 +0x00000000 '
wheel down 10 5
see_row "the wheel scrolls" 5 '^> #4 '
keys q
see "q leaves" '^ mmhex  zeros\.bin'

# ---- a huge count: the UI stays live, memory flat ------------------------------------
# AddressSanitizer's quarantine keeps every freed block for a while (the
# frames' allocations would look like growth): off for this part.
big=$E2E_DIR/big.bin
truncate -s 8G "$big"
E2E_ENV="ASAN_OPTIONS=handle_sigbus=0:quarantine_size_mb=0:allocator_release_to_os_interval_ms=100"
start "$big"
E2E_ENV=
see "the 8 GiB file is up" 'mmhex  big\.bin'
keys :
literal 'find -a -x 00'
keys Enter
see_row "the list opens at once, counting" 1 '^ find -a 00: [0-9]+ matches so far \(searching'
see_row "the first matches show at once" 2 '^> #1 +0x000000000 '
sleep 1
c1=$(count)
rss1=$(anon_of "mmhex $big")
keys j
see_row "keys are answered while the count climbs" 3 '^> #2 '
keys G
see_row "G before the count is known: the last byte, its index unknown" 23 \
    '^> #\? +0x1ffffffff ' 5
see_row "the one before it" 22 '^  #\? +0x1fffffffe '
keys -N 3 PageUp
see_row "PgUp from there" 23 '^> #\? +0x1ffffffbd '
keys g
see_row "g: the first match again" 2 '^> #1 +0x000000000 '
sleep 3
c2=$(count)
rss2=$(anon_of "mmhex $big")
if [ "${c1:-0}" -gt 0 ] && [ "${c2:-0}" -gt "$c1" ]; then
    ok "the count climbs ($c1, then $c2)"
else
    fail "the count does not climb ('$c1', then '$c2')"
fi
# A leak of even 8 bytes a match would be megabytes by now.
if [ "${rss1:-0}" -gt 0 ] && [ "${rss2:-0}" -gt 0 ] && [ "$rss2" -lt $((rss1 + 2048)) ]; then
    ok "memory stays flat while the count climbs (RssAnon $rss1 KiB, then $rss2 KiB)"
else
    fail "RssAnon $rss1 KiB, then $rss2 KiB, while $c1 then $c2 matches were counted"
fi
keys c
see_row "c stops the count; the list stays" 1 \
    '^ find -a 00: [0-9]+ matches before 0x[0-9a-f]+ \(cancelled\)'
keys j
see_row "... and still moves" 3 '^> #2 '
keys Escape
see "Esc leaves: the hex screen is back" '^ mmhex  big\.bin'
keys :
literal 'find -a -x 00'
keys Enter
see_row "the list again" 1 'matches so far'
keys Escape
see_msg "Esc while counting says where it stopped" \
    '^find -a: stopped at 0x[0-9a-f]+ after [0-9]+ matches$'
keys q
wait_exit 0
rm -f "$big"

finish
