#!/bin/bash
# The leofs-oss storage engine survives kill -9 at random moments: every
# acknowledged update reads back exactly and no stripe is ever torn.
set -euo pipefail

BUILD=${LEOFS_BUILD:-build}
bin=$BUILD/tests/integration/oss_crashloop
[ -x "$bin" ] || { echo "missing $bin (build it first)" >&2; exit 1; }

dir=$(mktemp -d /tmp/leofs-oss-crash.XXXXXX)
trap 'rm -rf "$dir"' EXIT

"$bin" "$dir/target" "${LEOFS_OSS_KILLS:-25}"
