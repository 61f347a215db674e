#!/bin/sh
# external.sh: the editor while another process acts on the file between
# keystrokes, and typing that must never turn into edits.
#   copy mode: a same-size rewrite (cat other > f, truncate 0 then back)
#     re-applies the unwritten edits and says so; w writes the edits.
#   an undone edit is not written over another process's byte.
#   a path renamed over / deleted in shared mode: said at once; w refuses.
#   typing past the end of the file stops at the last byte.
#   keys typed while a slow find -a runs never edit the file.
#   a non-ASCII pattern typed at / is searched as its UTF-8 bytes.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/f.bin
orig=$E2E_DIR/orig.bin
other=$E2E_DIR/other.bin
make_pattern "$orig" 65536
# The other content: the pattern shifted by one (byte i is i-1 mod 256).
{
    printf '\377'
    head -c 65535 "$orig"
} >"$other"

# ---- a same-size rewrite in copy mode ----------------------------------------
cp "$orig" "$f"
start "$f"
see "copy mode" 'COPY  64\.0 KiB'
keys i
literal aabb
keys Escape
see "the edit shows" '^00000000 C aa bb 02 03'
cat "$other" >"$f" # O_TRUNC, then the same size again
# (A tick may land between the O_TRUNC and the writes: then it is said as
# growth bringing the kept edits back.)
see_msg "a rewrite at the same size is noticed and said" 're-applied \(2 bytes\)|2 kept edited bytes re-applied'
see "the edits still show, over the new content" '^00000000 C aa bb 01 02'
keys w
see_msg "w writes the two edited bytes" '^wrote 2 bytes in 1 run'
expect_eq "on disk: the edits over the other content" "$(file_hex "$f" 0 4)" "aa bb 01 02"

keys g
literal 0x100
keys Enter i
literal cc
keys Escape
see "a second edit" '^00000100 C cc'
truncate -s 0 "$f"
truncate -s 65536 "$f"
see_msg "truncate to 0 and back: re-applied" 're-applied \(1 byte\)|1 kept edited byte re-applied'
keys w
see_msg "w writes it" '^wrote 1 byte in 1 run'
expect_eq "on disk: the edit over the zeros" "$(file_hex "$f" 255 3)" "00 cc 00"
keys q
wait_exit 0

# ---- an undone edit is not written --------------------------------------------
cp "$orig" "$f"
start "$f"
see "open again" 'COPY  64\.0 KiB'
keys g
literal 0x20
keys Enter i
literal 11
keys Escape u
see_msg "undone" 'undone'
poke "$f" 32 5a # another process writes 0x20
keys g
literal 0x10
keys Enter i
literal 99
keys Escape w
see_msg "w writes only the net byte" '^wrote 1 byte in 1 run'
expect_eq "the other process's byte at 0x20 survives" "$(file_hex "$f" 32 1)" "5a"
expect_eq "the edit at 0x10 is there" "$(file_hex "$f" 16 1)" "99"
keys q
wait_exit 0

# ---- evicting a view that holds copy-mode edits says they were kept -------------
cp "$orig" "$f"
start "$f"
see "open for evict" 'COPY'
keys i
literal 01
keys Escape e
see_msg "e says the edited page was kept on purpose" '; 1 edited page kept$'
keys Q
wait_exit 0

# ---- renamed over, then deleted, in shared mode --------------------------------
cp "$orig" "$f"
start -s "$f"
see "shared mode" 'SHARED'
keys i
literal 42
keys Escape
cp "$other" "$f.new"
mv "$f.new" "$f"
see_msg "a path renamed over is said at once" 'replaced by another process'
keys w
see_msg "w refuses: it would write the orphaned file" 'nothing written'
expect_eq "the new file is untouched" "$(file_hex "$f" 0 1)" "ff"
rm -f "$f"
see_msg "a deleted path is said too" 'deleted by another process'
keys q
wait_exit 0

# ---- typing past the end ---------------------------------------------------------
printf 'ABCDEFGH' >"$f"
start "$f"
see "an 8-byte file" 'COPY  8 B'
keys g
literal 5
keys Enter i Tab
literal hello
see_msg "typing stops at the last byte" 'end of the file'
keys Escape w
see_msg "written" '^wrote 3 bytes'
expect_eq "the last byte is not overwritten again" "$(cat "$f")" "ABCDEhel"
keys q
wait_exit 0

# ---- type-ahead during a slow find -a ------------------------------------------
# find -a 00 over an 8 GiB sparse file matches every byte: a long count
# with a huge match count, on the results list (screen-list.c). Keys typed
# meanwhile must not edit the file (shared mode: an edit would reach the
# file at once), and memory must stay flat however many matches it counts.
big=$E2E_DIR/big.bin
truncate -s 8G "$big"
start -s "$big"
see "the big file opens in shared mode" 'SHARED'
keys :
literal 'find -a -x 00'
keys Enter
see "the results list opens while the search counts" '^ find -a 00: [0-9]+ matches so far'
literal 'i0123456789'
keys w
sleep 2
pid=
for p in $(pgrep -f "mmhex -s $big"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = mmhex ] && pid=$p
done
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
if [ "${rss:-0}" -gt 0 ] && [ "$rss" -lt 400000 ]; then
    ok "memory stays flat while matches pile up (VmRSS ${rss} KiB)"
else
    fail "VmRSS ${rss} KiB while find -a counts matches"
fi
keys Escape
see_msg "Esc leaves the list; the message says where the count stopped" \
    'find -a: stopped at 0x[0-9a-f]+ after [0-9]+ matches'
keys q
wait_exit 0
expect_eq "the file was not edited by type-ahead" "$(du -k "$big" | cut -f1)" "0"
expect_eq "nor resized" "$(wc -c <"$big")" "8589934592"
rm -f "$big"

# ---- UTF-8 at the prompt ---------------------------------------------------------
printf 'xxGr\303\274n\346\235\261\344\272\254' >"$f"
start "$f"
see "open" 'COPY'
keys Tab /
literal 'Grü'
keys Enter
see_msg "/Grü finds its UTF-8 bytes" "^found 'Grü' at 0x2"
keys /
literal '東京'
keys Enter
see_msg "/東京 finds its UTF-8 bytes" "^found '東京' at 0x7"
keys q
wait_exit 0

finish
