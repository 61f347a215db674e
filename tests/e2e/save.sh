#!/bin/sh
# save.sh: save-as (W, saveas, saveas!) as the file system shows it.
#   a symbolic link at the destination is replaced itself, never followed
#     (batch and W), and W asks in those words;
#   a new file gets the source's mode less the umask, a file replaced keeps
#     its mode;
#   a save killed with SIGTERM (batch, TUI) or SIGKILL leaves no temporary
#     file (SIGKILL: where the file system has O_TMPFILE);
#   the open file, a hard link to it, a FIFO, a device and a full device
#     (as root: a 1 MiB tmpfs) each get their own sentence.
. "${srcdir:-.}/tests/e2e/lib.sh"

f=$E2E_DIR/f.bin
out=$E2E_DIR/out
err=$E2E_DIR/err
make_pattern "$f" 65536
mnt=$E2E_DIR/mnt
trap 'umount "$mnt" 2>/dev/null; e2e_cleanup' EXIT

# run ARGS...: mmhex ARGS with stdout in $out, stderr in $err; sets rc.
run() {
    "$MMHEX" "$@" >"$out" 2>"$err"
    rc=$?
}

# ---- symbolic links -----------------------------------------------------------
d=$E2E_DIR/d
other=$E2E_DIR/other
mkdir "$d" "$other"
printf 'precious\n' >"$other/victim"
chmod 640 "$other/victim"
ln -s ../other/victim "$d/link"
run -e 'put 5a' -e "saveas $d/link" "$f"
expect_eq "saveas onto a symbolic link: exit 1" "$rc" 1
expect_match "... naming the link and its target" "$(cat "$err")" \
    '^mmhex: saveas: .*/d/link is a symbolic link \(to \.\./other/victim\); use saveas! to replace the link itself$'
run -e 'put 5a' -e "saveas! $d/link" "$f"
expect_eq "saveas! onto a symbolic link: exit 0" "$rc" 0
if [ -L "$d/link" ]; then fail "the link is still a link"; else ok "the link is replaced"; fi
expect_eq "... by the copy" "$(file_hex "$d/link" 0 3)" "5a 01 02"
expect_eq "its target keeps its bytes" "$(cat "$other/victim")" precious
expect_eq "... and its mode" "$(stat -c %a "$other/victim")" 640
expect_eq "nothing else in its directory" "$(ls -A "$other")" victim

ln -s ../other/victim "$d/link2"
start 200x24 "$f" # wide enough for the question with its long path
keys W
literal "$d/link2"
keys Enter
see_msg "W onto a symbolic link asks about the link" \
    'link2 is a symbolic link \(to \.\./other/victim\): replace the link itself with the file\? \(y/n\)'
keys y
see_msg "y replaces the link" '^saved to .*link2'
if [ -L "$d/link2" ]; then fail "W: the link is still a link"; else ok "W: the link is replaced"; fi
expect_eq "W: the copy is whole" "$(cmp "$d/link2" "$f" && echo same)" same
expect_eq "W: the target keeps its bytes" "$(cat "$other/victim")" precious
keys q
wait_exit 0 >/dev/null

# ---- permissions ------------------------------------------------------------------
cp "$f" "$E2E_DIR/open.bin"
chmod 777 "$E2E_DIR/open.bin"
(umask 077 && "$MMHEX" -e "saveas $E2E_DIR/u077" "$E2E_DIR/open.bin")
expect_eq "a 0777 source under umask 077 gives 0700" "$(stat -c %a "$E2E_DIR/u077")" 700
(umask 022 && "$MMHEX" -e "saveas $E2E_DIR/u022" "$E2E_DIR/open.bin")
expect_eq "... under umask 022, 0755" "$(stat -c %a "$E2E_DIR/u022")" 755
printf 'old\n' >"$E2E_DIR/kept"
chmod 664 "$E2E_DIR/kept"
(umask 077 && "$MMHEX" -e "saveas! $E2E_DIR/kept" "$E2E_DIR/open.bin")
expect_eq "a file replaced keeps its mode (0664) under umask 077" "$(stat -c %a "$E2E_DIR/kept")" 664
expect_eq "... and has the copy" "$(cmp "$E2E_DIR/kept" "$f" && echo same)" same

# ---- messages ---------------------------------------------------------------------
ln "$f" "$E2E_DIR/hard"
mkfifo "$E2E_DIR/fifo"
run -e "saveas $f" "$f"
expect_match "onto the open file" "$(cat "$err")" 'that is the file being edited: use w to write it$'
run -e "saveas! $E2E_DIR/hard" "$f"
expect_match "onto a hard link of it" "$(cat "$err")" \
    '^mmhex: saveas .*/hard: that is a hard link to the file being edited: use w$'
run -e "saveas! $E2E_DIR/fifo" "$f"
expect_match "onto a FIFO" "$(cat "$err")" 'fifo is a device, FIFO or socket: save-as writes regular files only$'
run -e "saveas! /dev/null" "$f"
expect_match "onto a device" "$(cat "$err")" '/dev/null is a device, FIFO or socket'
expect_eq "/dev/null is still a device" "$(stat -c %F /dev/null)" "character special file"

# ---- a full device ------------------------------------------------------------------
mkdir "$mnt"
if mount -t tmpfs -o size=1m none "$mnt" 2>/dev/null; then
    big4=$E2E_DIR/4m.bin
    make_pattern "$big4" 4194304
    run -e "saveas $mnt/copy" "$big4"
    expect_eq "saveas onto a full device: exit 1" "$rc" 1
    expect_match "... says so" "$(cat "$err")" "^mmhex: saveas .*/copy: no space left on the device$"
    expect_eq "... and leaves nothing there" "$(ls -A "$mnt")" ""
    start "$big4"
    keys W
    literal "$mnt/copy"
    keys Enter
    see_msg "W onto a full device says so" 'no space left on the device'
    case "$(row -1)" in
    *hole*) fail "... not about a hole: $(row -1)" ;;
    *) ok "... not about a hole" ;;
    esac
    expect_eq "... and leaves nothing there" "$(ls -A "$mnt")" ""
    stop
    umount "$mnt"
else
    echo "skip: cannot mount a 1 MiB tmpfs (root needed): the full-device checks"
fi

# ---- killed saves ---------------------------------------------------------------------
# A 1 GiB file of data (no holes, no zeros: every chunk is written), so a
# save runs long enough to be caught at work.
big=$E2E_DIR/big.bin
head -c 1048576 /dev/urandom >"$big"
i=0
while [ "$i" -lt 10 ]; do
    cat "$big" "$big" >"$big.2" && mv "$big.2" "$big"
    i=$((i + 1))
done
kd=$E2E_DIR/kill
mkdir "$kd"

# saving PID: the process has its copy open in $kd (the save is at work).
saving() {
    ls -l "/proc/$1/fd" 2>/dev/null | grep -q -- "$kd/"
}

# unnamed PID: that copy has no name (O_TMPFILE). Where python3 can tell,
# whether the file system has O_TMPFILE decides instead, so an editor that
# makes a named copy there fails rather than skips.
unnamed() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import os, sys
os.close(os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY, 0o600))' "$kd" 2>/dev/null
        return
    fi
    ls -l "/proc/$1/fd" 2>/dev/null | grep -- "$kd/" | grep -q '(deleted)'
}

# kill_saving PID SIG: once PID is seen saving, stop it where it is
# (SIGSTOP, so the save cannot finish meanwhile), send SIG, let it go on.
# Sets anon (yes: its copy has no name) and caught (no: never seen saving;
# late: it had finished before it could be stopped).
kill_saving() {
    caught=no
    anon=no
    wait_until 30 saving "$1" || return 0
    kill -s STOP "$1"
    caught=yes
    saving "$1" || caught=late
    unnamed "$1" && anon=yes
    kill -s "$2" "$1"
    kill -s CONT "$1" 2>/dev/null
    return 0
}

# editor_pid: the pid of the editor in the tmux pane (the child of the
# pane's shell).
editor_pid() {
    local sh p
    sh=$(tm display-message -p -t e2e '#{pane_pid}')
    if [ -r "/proc/$sh/task/$sh/children" ]; then
        set -- $(cat "/proc/$sh/task/$sh/children")
        echo "${1:-}"
        return
    fi
    for p in /proc/[0-9]*; do
        if [ "$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f2)" = "$sh" ]; then
            echo "${p#/proc/}"
            return
        fi
    done
}

# left WHAT: the check that nothing is left in $kd after a kill.
left() {
    if [ "$caught" = late ]; then
        echo "skip: $1: the save finished before it could be stopped"
    elif [ "$sig" = KILL ] && [ "$anon" = no ]; then
        echo "skip: $1: no O_TMPFILE here: SIGKILL leaves the temporary file"
    else
        expect_eq "$1: nothing is left" "$(ls -A "$kd")" ""
    fi
}

for sig in TERM KILL; do
    "$MMHEX" -e "saveas $kd/new" "$big" >/dev/null 2>"$err" &
    pid=$!
    kill_saving "$pid" "$sig"
    wait "$pid" 2>/dev/null
    rc=$?
    if [ "$caught" = no ]; then
        fail "batch SIG$sig: the save of 1 GiB was never seen at work"
    elif [ "$sig" = TERM ] && [ "$caught" = yes ]; then
        expect_eq "batch SIGTERM during a save: exit 1" "$rc" 1
        expect_match "... saying why" "$(cat "$err")" \
            "^mmhex: saveas .*/new: stopped by a signal; nothing was written there$"
    fi
    left "batch SIG$sig during a save"
    rm -f "$kd"/* "$kd"/.[!.]*
done

for sig in TERM KILL; do
    start "$big"
    wait_for '^0x0+/0x40000000' >/dev/null
    pid=$(editor_pid)
    keys W
    literal "$kd/new"
    keys Enter
    if [ -n "$pid" ]; then
        kill_saving "$pid" "$sig"
    else
        caught=no
    fi
    if [ "$caught" = no ]; then
        fail "TUI SIG$sig: the save of 1 GiB was never seen at work"
    elif [ "$sig" = TERM ]; then
        see "TUI SIGTERM during W: mmhex exits" '\[exited 0\]'
    else
        see "TUI SIGKILL during W: mmhex dies" '\[exited 137\]'
    fi
    left "TUI SIG$sig during W"
    stop
    rm -f "$kd"/* "$kd"/.[!.]*
done
rm -f "$big"

finish
