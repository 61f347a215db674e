#!/bin/sh
# run.sh: the mapping-core benchmark, run by `make bench` as
#     sh run.sh ABS_BUILDDIR
# It builds nothing. It makes a temporary directory under $TMPDIR (or /tmp),
# which should be on the disk under test, runs tests/bench/bench_core there
# (that program creates a 1 KiB file, 16 TiB and 1 TiB sparse files and 4 GiB
# of real data, measures, prints the tables and removes its files) and
# removes the directory on any exit. Not part of `make check`; not a test.
# Takes a minute or two: writing the 4 GiB file and three ~10 s mincore
# passes over 1 TiB dominate.
set -u

if [ $# -ne 1 ]; then
    echo "usage: sh run.sh ABS_BUILDDIR" >&2
    exit 2
fi
builddir=$1
bench=$builddir/tests/bench/bench_core
mmhex=$builddir/src/mmhex

if [ ! -x "$bench" ]; then
    echo "run.sh: $bench is not built (make tests/bench/bench_core)" >&2
    exit 1
fi

base=${TMPDIR:-/tmp}
dir=$(mktemp -d "$base/mmhex-bench.XXXXXX") || {
    echo "run.sh: cannot make a directory under $base" >&2
    exit 1
}
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The 4 GiB file is real data: ask for 5 GiB of room.
avail=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
if [ -n "$avail" ] && [ "$avail" -lt 5242880 ]; then
    echo "run.sh: $dir has $avail KiB free; the benchmark needs 5 GiB" >&2
    exit 1
fi

if [ -x "$mmhex" ]; then
    "$bench" --mmhex "$mmhex" "$dir"
else
    "$bench" "$dir"
fi
