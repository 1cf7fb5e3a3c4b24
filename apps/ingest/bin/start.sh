#!/bin/sh
# Starts the OTLP receiver with the Node flags in apps/ingest/src/node-flags.ts, which says
# why (a test keeps the two in step). Node reads NODE_OPTIONS before the command line, so a
# --max-semi-space-size set there replaces the script's instead of being overridden by it.
set -eu
dist="$(cd "$(dirname "$0")/../dist" && pwd)"
flags="--max-semi-space-size=16"
case "${NODE_OPTIONS:-}" in
  *--max-semi-space-size* | *--max_semi_space_size*) flags="" ;;
esac
# The flags are plain words (no spaces inside one), so they are split on purpose.
# shellcheck disable=SC2086
exec node $flags "$dist/main.js"
