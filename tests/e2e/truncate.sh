#!/bin/sh
# truncate.sh: another process truncates the file under the editor and then
# grows it again. The editor must notice within about a second (a tick runs
# every 200 ms; touching a page past the new end raises SIGBUS, which the
# guard catches), say so, clamp the cursor, and keep working. Run in copy
# mode (where the journal keeps edits past the new end: the message counts
# them, they come back if the file grows back, and a write drops what is
# still past the end) and in shared mode.
. "${srcdir:-.}/tests/e2e/lib.sh"
need_tmux

f=$E2E_DIR/f.bin
want=$E2E_DIR/want.bin

for mode in copy shared; do
    make_pattern "$f" 1048576
    if [ "$mode" = copy ]; then
        start -c "$f"
        see "$mode: the editor is up" 'mmhex  f\.bin  COPY  1\.0 MiB'
    else
        start -s "$f"
        see "$mode: the editor is up" 'mmhex  f\.bin  SHARED  1\.0 MiB'
    fi
    # An edit that survives the truncation (0x10) and one that does not.
    keys g
    literal 0x10
    keys Enter i
    literal 5a
    keys Escape
    see "$mode: an edit at 0x10" '^00000010 . 5a 11 12'
    keys G i
    literal 77
    keys Escape
    see "$mode: an edit at the last byte" '^000ffff0 . f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe 77'
    keys Up
    see_off "$mode: near the end" fffef

    truncate -s 4096 "$f"
    see_msg "$mode: the editor notices the truncation" \
        '^file truncated to 4096 bytes (\(4\.0 KiB\) )?by another process' 2
    if [ "$mode" = copy ]; then
        see_msg "$mode: ... and counts the edit now past the end" \
            'by another process; 1 edited byte now past the end'
    fi
    see_off "$mode: the cursor is clamped to the new last byte" fff
    see "$mode: the title shows the new size" "mmhex  f\\.bin  [A-Z]+  4\\.0 KiB"
    see "$mode: the last row is shown" '^00000ff0 . f0 f1 f2'
    keys k
    see_off "$mode: keys still work (k)" fef
    keys g
    literal 0
    keys Enter
    see_off "$mode: goto still works" 0
    see "$mode: the edit before the new end is still there" '^00000010 . 5a 11 12'
    keys G
    see_off "$mode: G goes to the new last byte" fff
    keys g
    literal 0x1000
    keys Enter
    see_msg "$mode: the old range is gone" 'past the end \(the last byte is 0xfff\)'

    keys Escape # the goto error above is not hidden by news of growth
    see_msg "$mode: Esc clears the message" '^$'
    truncate -s 1M "$f"
    if [ "$mode" = copy ]; then
        see_msg "$mode: the growth brings the kept edit back" \
            '^file grew to 1048576 bytes \(1\.0 MiB\): 1 kept edited byte re-applied' 2
    else
        see_msg "$mode: the editor notices the growth" '^file grew to 1048576 bytes \(1\.0 MiB\)' 2
    fi
    see "$mode: the title shows the new size" "mmhex  f\\.bin  [A-Z]+  1\\.0 MiB"
    keys G
    see_off "$mode: G reaches the new end" fffff
    if [ "$mode" = copy ]; then
        see "$mode: the grown part reads as zeros, the kept edit over them" \
            '^000ffff0 C 00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 77'
    else
        see "$mode: the grown part is a hole (it reads as zeros)" \
            '^000ffff0 H -- -- -- -- -- -- -- --  -- -- -- -- -- -- -- --'
    fi

    # Truncate while the screen shows the end, then press a key at once:
    # the frame drawn for the key may touch the vanished pages (SIGBUS).
    keys Up
    see_off "$mode: near the end again" fffef
    truncate -s 8192 "$f"
    keys k
    # Either the key's own frame or a tick just before it notices first;
    # in the second case the key's command then replaces the message (and
    # moves up from the clamped cursor), so the history is where to look.
    see "$mode: a second truncation is noticed" 'mmhex  f\.bin  [A-Z]+  8\.0 KiB'
    see_off "$mode: ... and the cursor clamped (k applied before or after)" '(1fff|1fef)'
    keys : ; literal messages; keys Enter
    see "$mode: ... said on the message row (kept in the history)" 'file truncated to 8192 bytes'
    keys Escape
    keys g; literal 0x1fff; keys Enter
    keys k
    see_off "$mode: ... and keys still work" 1fef

    keys w
    if [ "$mode" = copy ]; then
        see_msg "$mode: w writes the surviving edit" '^wrote 1 bytes?'
    else
        see_msg "$mode: w flushes" '^flushed'
    fi
    make_pattern "$want" 4096
    truncate -s 8192 "$want"
    poke "$want" 16 5a
    expect_eq "$mode: the file holds the surviving edit and the zeros" \
        "$(cmp "$f" "$want" && echo same)" same
    keys q
    see "$mode: q quits" '^\[exited 0\]'
done

finish
