#!/bin/sh
# Starts the worker with a heap bound that fits the memory it has: 768 MiB, or 60% of its
# container's memory limit when that is less (apps/worker/src/node-flags.ts). A
# --max-old-space-size in NODE_OPTIONS replaces the bound.
set -eu
dist="$(cd "$(dirname "$0")/../dist" && pwd)"
# Assigned first, so `set -e` stops here if the flags cannot be worked out.
flags="$(node "$dist/node-flags-cli.js")"
# The flags are plain words (no spaces inside one), so they are split on purpose.
# shellcheck disable=SC2086
exec node $flags "$dist/main.js"
