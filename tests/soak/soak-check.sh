#!/bin/sh
# soak-check.sh: the model-based soak (tests/soak/soak.c) for `make check`:
# first each script in tests/soak/bugs (one per data-loss bug of issue 8,
# and those the soak found since), then a fixed set of random seeds in all
# modes, batch and UI sessions, well under a minute. `make soak
# SOAK_SECONDS=600` runs fresh seeds for as long as asked.
: "${MMHEX:?MMHEX must name the mmhex binary (make check sets it)}"
soak=$(dirname "$MMHEX")/../tests/soak/soak
[ -x "$soak" ] || { echo "SKIP: $soak is not built"; exit 77; }
status=0
for script in "${srcdir:-.}"/tests/soak/bugs/*.soak; do
    echo "--- $script"
    "$soak" --replay "$script" || status=1
done
echo "--- random sessions"
"$soak" --seed "${SOAK_SEED:-1}" --sessions "${SOAK_SESSIONS:-150}" --steps 60 --mode all || status=1
exit $status
