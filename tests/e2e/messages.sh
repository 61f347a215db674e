#!/bin/sh
# messages.sh: errors that must name their real cause (issue 8).
#   A running program cannot be opened for writing (ETXTBSY): auto mode
#   opens it read-only and says why, copy mode keeps the edits and `w`
#   says "text file busy", shared mode refuses with the same words.
#   On a full tmpfs even a read of a hole fails (the kernel allocates a page
#   for it): a put says "no space left", not "Input/output error", and the
#   frame shows the bytes it cannot read as "??" with one message naming
#   the offset and the cause, in copy and in shared mode, never blank rows.
# The batch checks need no terminal; the screen checks need tmux; the tmpfs
# checks need to mount one (root), and say so when they cannot.
. "${srcdir:-.}/tests/e2e/lib.sh"

out=$E2E_DIR/out
err=$E2E_DIR/err
mnt=$E2E_DIR/mnt
prog=$E2E_DIR/prog
pid=

messages_cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    stop
    # The editor may take a moment to die with its tmux server; a lazy
    # unmount detaches the file system even while it holds the mapping.
    if [ -d "$mnt" ] && ! wait_until 2 umount "$mnt" 2>/dev/null; then
        umount -l "$mnt" 2>/dev/null
    fi
    e2e_cleanup
}
trap messages_cleanup EXIT

# run ARGS...: mmhex ARGS with stdout in $out, stderr in $err; sets rc.
run() {
    "$MMHEX" "$@" >"$out" 2>"$err"
    rc=$?
}

# busy FILE: the kernel refuses to open FILE for writing (ETXTBSY).
busy() {
    ! (: >>"$1") 2>/dev/null
}

# ---- a running program ----------------------------------------------------
cp /bin/sleep "$prog" && chmod 0755 "$prog" || exit 99
cp "$prog" "$prog.orig"
"$prog" 600 & # killed at the end, or by the cleanup
pid=$!
if ! wait_until 5 busy "$prog"; then
    echo "skip: the running copy of sleep can be opened for writing on this kernel"
else
    run -e stat "$prog"
    expect_eq "running program: stat exits 0" "$rc" 0
    expect_match "running program: auto mode opens it read-only" "$(cat "$out")" '^mode +READ-ONLY'

    run -c -e 'put 00' -e write "$prog"
    expect_eq "running program: -c put + write fails" "$rc" 1
    expect_match "... saying it is a running program (text file busy)" "$(cat "$err")" \
        'write failed: the file is a running program: .*\(text file busy\)'
    if grep -q 'read-only' "$err"; then fail "... not 'read-only': $(cat "$err")"; fi
    expect_eq "... and the program is untouched" "$(cmp "$prog" "$prog.orig" && echo same)" same

    run -s -e stat "$prog"
    expect_eq "running program: -s is refused" "$rc" 1
    expect_match "... with the cause" "$(cat "$err")" 'running program.*text file busy'

    if [ -n "$TMUX_BIN" ] && [ -x "$TMUX_BIN" ]; then
        start "$prog"
        see "running program: the title says READ-ONLY" 'mmhex  prog  READ-ONLY'
        see_msg "... and the message row says why" \
            '^read-only: the file is a running program \(text file busy\); use -c'
        start -c "$prog"
        see "running program: -c opens in copy mode" 'mmhex  prog  COPY'
        see_msg "... saying edits go to a new file" \
            '^the file is a running program: edits can only be saved to a new file \(W\)'
        keys i
        literal 00
        keys Escape w
        see_msg "... and w says why it cannot write" \
            '^write failed: the file is a running program: the kernel refuses to write it'
        stop
    else
        echo "skip: tmux is not installed: the screen checks of the running program"
    fi
fi
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=

# ---- a full tmpfs ---------------------------------------------------------
mkdir "$mnt"
if ! mount -t tmpfs -o size=1m none "$mnt" 2>"$err"; then
    echo "skip: cannot mount a small tmpfs: $(cat "$err")"
    rmdir "$mnt"
    finish
fi
h=$mnt/h.bin

# no_mapper: no process has a file of the tmpfs mapped.
no_mapper() {
    ! grep -qs " $mnt/" /proc/[0-9]*/maps
}

# fill_up: a fresh h.bin (one page of data, then a hole to 64 KiB, made
# before the file system fills), then fill the file system. Reading a hole
# once there is room allocates it, so each check starts from here.
fill_up() {
    # An editor stopped a moment ago may still map the old h.bin: its pages
    # go back to the tmpfs only when it exits, and room freed after the
    # fill would let the hole be read. Wait until no process maps it.
    wait_until 10 no_mapper || echo "note: an old editor still maps $h"
    rm -f "$mnt/fill" "$h"
    printf 'hello' >"$h"
    truncate -s 65536 "$h"
    dd if=/dev/zero of="$mnt/fill" bs=4096 2>/dev/null
}
fill_up
expect_match "the tmpfs is full" "$(df -P "$mnt" | tail -n 1)" ' 0 +100%'

for mode in c s; do
    run -$mode -e 'goto 0x1000' -e 'put 00' "$h"
    expect_eq "-$mode put into a hole on a full tmpfs fails" "$rc" 1
    expect_match "... saying there is no space" "$(cat "$err")" \
        '^mmhex: put: no space left on the file system to fill a hole$'
    run -$mode -e 'dump 0x1000 16' "$h"
    expect_match "-$mode dump of the hole says no space too" "$(cat "$err")" 'no space left'
done

if [ -n "$TMUX_BIN" ] && [ -x "$TMUX_BIN" ]; then
    for mode in copy shared; do
        fill_up
        flag=-c
        [ "$mode" = shared ] && flag=-s
        start "$flag" "$h"
        see "$mode: the editor is up" 'mmhex  h\.bin  [A-Z]+  64\.0 KiB'
        keys g
        literal 0x1010
        keys Enter
        see_off "$mode: at 0x1010" 1010
        see "$mode: the data before the hole still shows" '^00000ff0 R 00 00 00'
        see "$mode: the bytes that cannot be read show as ??, not blank" \
            '^00001000 ! \?\? \?\? \?\? \?\? \?\? \?\? \?\? \?\?  \?\? .* \?{16}$'
        see_msg "$mode: one message names the offset and the cause" \
            '^cannot read 0x1000: no space left on the file system to fill a hole$'
        if screen | grep -Eq '^0000(100|101)0 *$'; then fail "$mode: a blank data row"; fi
        # Room again: the hole reads as zeros and the message goes.
        rm "$mnt/fill"
        keys k
        see "$mode: with room again the hole reads" '^00001000 [RH.] (--|00) (--|00) '
        see_row "$mode: ... and the message is gone" -1 '^(|[^c].*)$'
        stop
    done
else
    echo "skip: tmux is not installed: the screen checks of the full tmpfs"
fi
finish
