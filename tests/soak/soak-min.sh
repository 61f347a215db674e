#!/bin/bash
# soak-min.sh SOAK SCRIPT PATTERN: shrink a soak script (the lines of a
# divergence report, saved to a file) by dropping steps while the report
# still matches PATTERN (grep -E); prints the smallest script found. The
# tick right after an event is kept with it. Example:
#   tests/soak/soak-min.sh build/tests/soak/soak fail.soak 'must re-apply'
soak=$1 f=$2 pat=$3
[ -x "$soak" ] && [ -f "$f" ] && [ -n "$pat" ] || { sed -n '2,6p' "$0"; exit 2; }
cur=$(mktemp) try=$(mktemp)
trap 'rm -f "$cur" "$try"' EXIT
sed 's/^  *//' "$f" | grep -v '^---\|^$' >"$cur"
"$soak" --replay "$cur" 2>&1 | grep -Eq -- "$pat" || { echo "soak-min: the script does not diverge with /$pat/" >&2; exit 1; }
changed=1
while [ "$changed" = 1 ]; do
    changed=0 i=2 n=$(wc -l <"$cur")
    while [ "$i" -le "$n" ]; do
        line=$(sed -n "${i}p" "$cur") prev=$(sed -n "$((i - 1))p" "$cur")
        if [[ $line == tick* && $prev == ext* ]]; then
            i=$((i + 1))
            continue
        fi
        sed "${i}d" "$cur" >"$try"
        if "$soak" --replay "$try" 2>&1 | grep -Eq -- "$pat"; then
            cp "$try" "$cur"
            n=$((n - 1)) changed=1
        else
            i=$((i + 1))
        fi
    done
done
cat "$cur"
