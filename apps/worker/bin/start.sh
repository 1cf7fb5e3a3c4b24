#!/bin/sh
# Starts the worker with a heap bound that fits the memory it has: 768 MiB, or 60% of its
# container's memory limit when that is less (apps/worker/src/node-flags.ts). A
# --max-old-space-size in NODE_OPTIONS replaces the bound.
set -eu
dist="$(cd "$(dirname "$0")/../dist" && pwd)"
# The flags are plain words (no spaces inside one), so they are split on purpose.
# shellcheck disable=SC2046
exec node $(node "$dist/node-flags-cli.js") "$dist/main.js"
