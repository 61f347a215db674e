# lib.sh: helpers for mmhex's end-to-end tests (sourced by each *.sh test).
#
# Each test gets a scratch directory and, when it drives the editor, a
# private tmux server (its own socket, no config, a fixed 80x24 window,
# pinned locale and TERM, a low ESCDELAY) torn down on exit. Waiting is done
# by polling the screen until a pattern appears or a deadline passes, never
# by fixed sleeps. Exit codes follow automake: 0 pass, 77 skip, 99 hard error,
# anything else fail.

set -u
: "${MMHEX:?MMHEX must name the mmhex binary (make check sets it)}"
TMUX_BIN=${MMH_TMUX:-$(command -v tmux || true)}
E2E_NAME=$(basename "$0" .sh)
E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mmhex-e2e-$E2E_NAME.XXXXXX")
# The tmux socket lives in the scratch directory, so it goes with it.
E2E_SOCK="$E2E_DIR/tmux-0"
E2E_FAILS=0
E2E_CHECKS=0

e2e_cleanup() {
    stop
    rm -rf "$E2E_DIR"
}
trap e2e_cleanup EXIT

skip() {
    echo "SKIP: $*"
    exit 77
}

need_tmux() {
    [ -n "$TMUX_BIN" ] && [ -x "$TMUX_BIN" ] || skip "tmux is not installed (apt-get install tmux)"
}

ok() {
    E2E_CHECKS=$((E2E_CHECKS + 1))
    echo "ok: $*"
}

fail() {
    E2E_CHECKS=$((E2E_CHECKS + 1))
    E2E_FAILS=$((E2E_FAILS + 1))
    echo "FAIL: $*"
}

# expect_eq WHAT GOT WANT
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: got '$2', want '$3'"; fi
}

# expect_match WHAT TEXT REGEX
expect_match() {
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then ok "$1"; else fail "$1: '$2' does not match /$3/"; fi
}

finish() {
    echo "$((E2E_CHECKS - E2E_FAILS)) passed, $E2E_FAILS failed"
    [ "$E2E_FAILS" -eq 0 ]
    exit $?
}

# ---- tmux driving ----------------------------------------------------------

E2E_NSOCK=0 # servers started so far; each start gets its own socket

tm() {
    "$TMUX_BIN" -S "$E2E_SOCK" "$@"
}

# shq WORD: WORD quoted for sh (printf %q is bash-only).
shq() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The terminal the editor is told it runs in. tmux emulates tmux-256color
# (or screen); telling the editor xterm would make Home/End/mouse sequences
# unrecognisable, since tmux sends its own.
e2e_term() {
    local t
    for t in tmux-256color screen-256color screen; do
        if infocmp "$t" >/dev/null 2>&1; then
            echo "$t"
            return
        fi
    done
    echo screen
}
E2E_TERM=${E2E_TERM:-$(e2e_term)}
# Extra VAR=VALUE words for the editor's environment (after the defaults,
# so they override them), e.g. E2E_ENV="TERM=vt100 NO_COLOR=1".
E2E_ENV=${E2E_ENV:-}

# start [COLSxROWS] ARGS...: run mmhex ARGS in a fresh tmux server and
# window; the previous one, if any, is killed. After mmhex exits the pane
# shows "[exited STATUS]" at the start of a line of its own (CR LF: a killed
# editor leaves the terminal without its newline translation).
start() {
    local size=80x24
    case "${1:-}" in [0-9]*x[0-9]*) size=$1; shift ;; esac
    local cols="${size%x*}" rows="${size#*x}"
    local cmd a
    need_tmux
    stop
    E2E_NSOCK=$((E2E_NSOCK + 1))
    E2E_SOCK="$E2E_DIR/tmux-$E2E_NSOCK"
    if [ "${#E2E_SOCK}" -gt 100 ]; then # too long for a socket address
        E2E_SOCK="/tmp/mmhex-e2e-$$-$E2E_NSOCK"
    fi
    cmd=$(shq "$MMHEX")
    for a in "$@"; do cmd="$cmd $(shq "$a")"; done
    tm -f /dev/null new-session -d -s e2e -x "$cols" -y "$rows" \
        "env TERM=$E2E_TERM LC_ALL=C.UTF-8 ESCDELAY=25 NO_COLOR= $E2E_ENV $cmd; printf '\\r\\n[exited %s]\\r\\n' \$?; sleep 60"
    tm set-option -t e2e remain-on-exit on >/dev/null 2>&1 || true
}

# stop: kill the current tmux server and remove its socket (start does it
# too).
stop() {
    if [ -n "$TMUX_BIN" ] && [ -S "$E2E_SOCK" ]; then
        tm kill-server 2>/dev/null
        rm -f "$E2E_SOCK"
    fi
    return 0
}

keys() {
    tm send-keys -t e2e "$@"
}

# literal TEXT: type text as is.
literal() {
    tm send-keys -t e2e -l -- "$1"
}

screen() {
    tm capture-pane -t e2e -p
}

# wait_for REGEX [SECONDS]: poll the screen until REGEX matches.
wait_for() {
    local re="$1" limit="${2:-10}" i=0
    local n=$((limit * 20))
    while [ "$i" -lt "$n" ]; do
        if screen | grep -Eq -- "$re"; then
            return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    echo "--- timed out waiting for /$re/; the screen was:"
    screen | sed 's/^/| /'
    return 1
}

# see WHAT REGEX [SECONDS]: a check that the screen shows REGEX.
see() {
    if wait_for "$2" "${3:-10}"; then ok "$1"; else fail "$1"; fi
}

resize() {
    tm resize-window -t e2e -x "$1" -y "$2"
}

# ---- more helpers ----------------------------------------------------------

# row N: line N of the screen (1 is the title; -1 the message row, -3 the
# first status row).
row() {
    if [ "$1" -lt 0 ]; then
        screen | tail -n "$((-$1))" | head -n 1
    else
        screen | sed -n "${1}p"
    fi
}

# cursor_off: the cursor offset the status row shows ("0x0000ffff").
cursor_off() {
    screen | grep -Eo '^0x[0-9a-f]+/0x[0-9a-f]+' | head -n 1 | cut -d/ -f1
}

# see_off WHAT HEXDIGITS: the status row comes to show the cursor at
# offset HEXDIGITS (without 0x and leading zeros).
see_off() {
    see "$1" "^0x0*$2/0x"
}

# wait_until SECONDS CMD...: poll CMD until it succeeds.
wait_until() {
    local limit="$1" i=0
    shift
    while [ "$i" -lt "$((limit * 20))" ]; do
        if "$@"; then
            return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# wait_exit [STATUS]: the editor exits (with STATUS, default any).
wait_exit() {
    wait_for "^\[exited ${1:-[0-9]+}\]"
}

# chr N: the byte N.
chr() {
    printf "\\$(printf '%03o' "$1")"
}

# X10 mouse reports (what ncurses asks for through tmux's terminfo), at a
# 0-based screen cell. A press with no release would leave the button
# held, so a click sends both.
mouse_x10() {
    literal "$(printf '\033[M'; chr "$1"; chr $((33 + $2)); chr $((33 + $3)))"
}

# click COL ROW
click() {
    mouse_x10 32 "$1" "$2"
    mouse_x10 35 "$1" "$2"
}

# wheel up|down COL ROW
wheel() {
    case $1 in up) mouse_x10 96 "$2" "$3" ;; *) mouse_x10 97 "$2" "$3" ;; esac
}

# file_hex FILE OFFSET COUNT: the bytes as "de ad be ef".
file_hex() {
    dd if="$1" bs=1 skip="$2" count="$3" 2>/dev/null | od -An -tx1 -v | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}

# make_pattern FILE BYTES: a file whose byte i is i mod 256.
make_pattern() {
    local i=0
    while [ "$i" -lt 256 ]; do
        chr "$i"
        i=$((i + 1))
    done >"$1"
    while [ "$(wc -c <"$1")" -lt "$2" ]; do
        cat "$1" "$1" >"$1.tmp" && mv "$1.tmp" "$1"
    done
    truncate -s "$2" "$1"
}

# poke FILE OFFSET HEXBYTES...: overwrite bytes of FILE in place
# ("poke f 16 de ad").
poke() {
    local f="$1" off="$2" b
    shift 2
    for b in "$@"; do chr $((0x$b)); done | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
}

# see_row WHAT N REGEX [SECONDS]: a check that row N (as for row) comes to
# match REGEX. see_msg WHAT REGEX: the same for the message row.
see_row() {
    local limit="${4:-10}" i=0
    while [ "$i" -lt "$((limit * 20))" ]; do
        if row "$2" | grep -Eq -- "$3"; then
            ok "$1"
            return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    fail "$1: row $2 is '$(row "$2")', want /$3/"
    return 1
}

see_msg() {
    see_row "$1" -1 "$2" "${3:-10}"
}
