#!/bin/sh
# cli.sh: the command line as a script or a person meets it: version, help,
# bad options, and one clear message for each kind of path mmhex refuses.
. "${srcdir:-.}/tests/e2e/lib.sh"

out=$("$MMHEX" --version)
expect_match "--version" "$out" '^mmhex [0-9]+\.[0-9]+'

out=$("$MMHEX" --help)
expect_match "--help lists the modes" "$out" '--shared'
expect_match "--help lists the commands, from the command table" "$out" ' saveas saveas! find '

"$MMHEX" --no-such-option >/dev/null 2>"$E2E_DIR/err"
expect_eq "a bad option exits 2" "$?" 2

# run_refused WHAT PATH REGEX: mmhex must exit non-zero with one line on stderr.
run_refused() {
    "$MMHEX" -r "$2" >/dev/null 2>"$E2E_DIR/err"
    rc=$?
    msg=$(cat "$E2E_DIR/err")
    lines=$(wc -l <"$E2E_DIR/err")
    if [ "$rc" -ne 0 ] && [ "$lines" -eq 1 ] && printf '%s\n' "$msg" | grep -Eq -- "$3"; then
        ok "$1: $msg"
    else
        fail "$1: exit $rc, stderr: $msg"
    fi
}

mkdir "$E2E_DIR/dir"
mkfifo "$E2E_DIR/fifo"
run_refused "nonexistent path" "$E2E_DIR/nope" 'No such file'
run_refused "directory" "$E2E_DIR/dir" 'is a directory'
run_refused "FIFO (must not block)" "$E2E_DIR/fifo" 'FIFO'
run_refused "character device" /dev/null 'character device'
run_refused "/proc file" /proc/self/maps 'size 0'
# A /sys file is regular with a size, but sysfs will not mmap it (ENODEV).
sysf=/sys/kernel/mm/transparent_hugepage/enabled
if [ -f "$sysf" ]; then
    run_refused "/sys file: not called a character device" "$sysf" 'cannot map files.*/sys'
else
    echo "skip: no $sysf on this machine"
fi
# open() of /dev/tty without a controlling terminal fails with ENXIO: that
# is not a truncation (the internal code once collided with it).
if command -v setsid >/dev/null; then
    setsid -w "$MMHEX" -r /dev/tty </dev/null >/dev/null 2>"$E2E_DIR/err"
    msg=$(cat "$E2E_DIR/err")
    expect_match "/dev/tty without a terminal: the open's own error" "$msg" 'No such device or address'
    if printf '%s\n' "$msg" | grep -q truncated; then fail "/dev/tty called truncated: $msg"; fi
fi

: >"$E2E_DIR/empty"
out=$("$MMHEX" -r -e stat "$E2E_DIR/empty")
expect_match "an empty file opens" "$out" '^size +0 '

# ext4's largest file: 16 TiB less one 4 KiB block.
truncate -s $((16 * 1024 * 1024 * 1024 * 1024 - 4096)) "$E2E_DIR/huge"
out=$("$MMHEX" -e stat "$E2E_DIR/huge")
expect_match "a 16 TiB sparse file opens in copy mode" "$out" '^mode +COPY'
expect_match "its size is exact" "$out" '^size +17592186040320 '

"$MMHEX" "$E2E_DIR/huge" </dev/null >/dev/null 2>"$E2E_DIR/err"
expect_match "no terminal: one clear message" "$(cat "$E2E_DIR/err")" 'not a terminal'

finish
