#!/bin/sh
# run.sh: the benchmarks, run by `make bench` as
#     sh run.sh ABS_BUILDDIR
# BENCH=core, BENCH=editor, BENCH=search, BENCH=hash, BENCH=diff or
# BENCH=struct or BENCH=entropy in the environment runs only that one; the
# default (BENCH=all) runs bench_core, bench_editor, bench_search,
# bench_hash, bench_diff, bench_struct, then bench_entropy.
#
# It builds nothing. It makes a temporary directory under $TMPDIR (or /tmp),
# which should be on the disk under test, runs the programs there and, on
# any exit, kills the private tmux server bench_editor starts there and
# removes the directory. Not part of `make check`; not a test.
#
#   tests/bench/bench_core    the mapping core beside bare syscalls, vmtouch
#                             and fincore (a 1 KiB file, 16 TiB and 1 TiB
#                             sparse files, 4 GiB of real data). A minute or
#                             two: writing 4 GiB and four mincore passes over
#                             1 TiB dominate.
#   tests/bench/bench_editor  frames (callgrind and wall clock), copy-mode
#                             writes of scattered edits beside a sequential
#                             4 GiB write, memory while paging a 16 TiB file,
#                             and key-to-screen latency in tmux beside tweak
#                             and hexedit. A minute or two: writing 4 GiB
#                             and faulting in the sparse file's edits
#                             dominate.
#   tests/bench/bench_search  mmhex's find beside rg (with and without
#                             mmap), LC_ALL=C grep, ugrep and a bare memmem:
#                             three page-cache-warm 1 GiB files (random,
#                             a text log, low-entropy records), a needle
#                             near the end, absent, with a ?? wildcard and
#                             case-insensitive, with the ratios mmhex/rg and
#                             mmhex/grep; the random file cold beside cat
#                             and rg; a 16 TiB sparse file (holes skipped
#                             beside 1 GiB of holes read). Three to five
#                             minutes with the default 5 rounds: the slower
#                             tools' runs (ugrep -i, grep) dominate.
#   tests/bench/bench_hash    hash beside sha256sum, b2sum, md5sum, sha1sum,
#                             sha512sum and rhash (CRC-32, CRC-32C, SHA3-256):
#                             a warm 4 GiB file and a 1 TiB sparse file, the
#                             tools stopped after 30 s there. About ten
#                             minutes: the coreutils digests over 4 GiB,
#                             three times each, dominate.
#   tests/bench/bench_diff    mmhex --cmp beside cmp: two 1 TiB sparse files
#                             holding the same 1 GiB but for 1,000 bytes (cmp
#                             stopped after 10 s, its whole time projected),
#                             and warm 1 GiB files (cmp, cmp -l). About a
#                             minute: writing 5 GiB dominates.
#   tests/bench/bench_struct  the structure (batch, and the s key in tmux)
#                             beside sfdisk --dump on a 1 TiB GPT+ext4
#                             image, sqlite3_analyzer on a 2 GiB database,
#                             readelf -a on the largest shared library. A
#                             few minutes: making the database dominates.
#   tests/bench/bench_entropy the entropy map of a 1 TiB sparse file with
#                             1 GiB of data beside cat of that data, and of
#                             a 1 GiB file beside sha256sum, warm. A minute:
#                             writing 2 GiB dominates.
#
# tweak and hexedit are the latency baselines. When they are missing and
# this runs as root with apt-get, it installs them (Debian packages tweak and
# hexedit); otherwise their rows say "not installed". valgrind (instruction
# counts) and tmux (latency) are optional the same way, but never installed
# here: .ci/run and the README's quick start list them.
set -u

if [ $# -ne 1 ]; then
    echo "usage: sh run.sh ABS_BUILDDIR" >&2
    exit 2
fi
builddir=$1
core=$builddir/tests/bench/bench_core
editor=$builddir/tests/bench/bench_editor
search=$builddir/tests/bench/bench_search
hash=$builddir/tests/bench/bench_hash
diff=$builddir/tests/bench/bench_diff
struct=$builddir/tests/bench/bench_struct
entropy=$builddir/tests/bench/bench_entropy
mmhex=$builddir/src/mmhex

which=${BENCH:-all}
case $which in
all) progs="$core $editor $search $hash $diff $struct $entropy" ;;
core) progs=$core ;;
editor) progs=$editor ;;
search) progs=$search ;;
hash) progs=$hash ;;
diff) progs=$diff ;;
struct) progs=$struct ;;
entropy) progs=$entropy ;;
*)
    echo "run.sh: BENCH=$which: say core, editor, search, hash, diff, struct, entropy or all" >&2
    exit 2
    ;;
esac
for p in $progs; do
    if [ ! -x "$p" ]; then
        echo "run.sh: $p is not built (make ${p#"$builddir"/})" >&2
        exit 1
    fi
done

base=${TMPDIR:-/tmp}
dir=$(mktemp -d "$base/mmhex-bench.XXXXXX") || {
    echo "run.sh: cannot make a directory under $base" >&2
    exit 1
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    if [ -S "$dir/tmux.sock" ] && command -v tmux >/dev/null 2>&1; then
        timeout 5 tmux -S "$dir/tmux.sock" kill-server >/dev/null 2>&1
    fi
    # bench_editor's tmux server and control client, by the pids it left
    # (it removes the file when it ends them itself).
    if [ -f "$dir/tmux.sock.pids" ]; then
        sleep 1
        # shellcheck disable=SC2013 # one line of words: the pids
        for pid in $(cat "$dir/tmux.sock.pids"); do
            [ "$pid" -gt 0 ] 2>/dev/null || continue
            case $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") in
            *tmux*) kill "$pid" 2>/dev/null ;;
            esac
        done
    fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The 4 GiB files are real data: ask for 5 GiB of room.
avail=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
if [ -n "$avail" ] && [ "$avail" -lt 5242880 ]; then
    echo "run.sh: $dir has $avail KiB free; the benchmark needs 5 GiB" >&2
    exit 1
fi

# The peer editors for bench_editor's latency table; rhash (CRC-32,
# CRC-32C, SHA3-256) for bench_hash's.
if [ "$which" = all ] || [ "$which" = editor ] || [ "$which" = hash ]; then
    missing=
    wanted="tweak hexedit"
    [ "$which" = hash ] && wanted=rhash
    [ "$which" = all ] && wanted="tweak hexedit rhash"
    for e in $wanted; do
        command -v "$e" >/dev/null 2>&1 || missing="$missing $e"
    done
    if [ -n "$missing" ]; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "run.sh: installing the baselines:$missing (apt-get)"
            export DEBIAN_FRONTEND=noninteractive
            # shellcheck disable=SC2086 # $missing is a list of words
            if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
                apt-get update -qq >/dev/null 2>&1
                apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
                    echo "run.sh: apt-get could not install$missing: not installed"
            fi
        else
            for e in $missing; do
                echo "run.sh: $e not installed (not root, or no apt-get): its rows are skipped"
            done
        fi
    fi
fi

status=0
for p in $progs; do
    [ "$p" != "$core" ] && [ "$which" = all ] && echo && echo
    if [ -x "$mmhex" ]; then
        "$p" --mmhex "$mmhex" "$dir" || status=1
    else
        "$p" "$dir" || status=1
    fi
done
exit $status
