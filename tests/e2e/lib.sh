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
E2E_SOCK="mmhex-e2e-$$"
E2E_FAILS=0
E2E_CHECKS=0

e2e_cleanup() {
    if [ -n "$TMUX_BIN" ]; then
        "$TMUX_BIN" -L "$E2E_SOCK" kill-server 2>/dev/null || true
    fi
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

tm() {
    "$TMUX_BIN" -L "$E2E_SOCK" "$@"
}

# start [COLSxROWS] ARGS...: run mmhex ARGS in a fresh window.
start() {
    local size=80x24
    case "${1:-}" in [0-9]*x[0-9]*) size=$1; shift ;; esac
    local cols=${size%x*} rows=${size#*x}
    local cmd="$MMHEX"
    local a
    for a in "$@"; do cmd="$cmd $(printf '%q' "$a")"; done
    tm -f /dev/null new-session -d -s e2e -x "$cols" -y "$rows" \
        "env TERM=xterm-256color LC_ALL=C.UTF-8 ESCDELAY=25 NO_COLOR= $cmd; echo '[exited' \$?']'; sleep 30"
    tm set-option -t e2e remain-on-exit on >/dev/null 2>&1 || true
}

keys() {
    tm send-keys -t e2e "$@"
}

# literal TEXT: type text as is.
literal() {
    tm send-keys -t e2e -l "$1"
}

screen() {
    tm capture-pane -t e2e -p
}

# wait_for REGEX [SECONDS]: poll the screen until REGEX matches.
wait_for() {
    local re=$1 limit=${2:-10} i=0
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
