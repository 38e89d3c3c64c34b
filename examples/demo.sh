#!/usr/bin/env bash
# The README's demo, from a fresh clone on Debian 12 (as root): installs what
# is missing, builds correu, and runs the demo program.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/deps.sh build
[ -f build/build.ninja ] || meson setup build -Dtests=disabled -Ddocs=disabled >/dev/null
ninja -C build >/dev/null
exec build/examples/correu-demo "$@"
