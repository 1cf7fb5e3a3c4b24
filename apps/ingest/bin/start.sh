#!/bin/sh
# Starts the OTLP receiver with the Node flags in apps/ingest/src/node-flags.ts, which says
# why (a test keeps the two in step).
set -eu
dist="$(cd "$(dirname "$0")/../dist" && pwd)"
exec node --max-semi-space-size=16 "$dist/main.js"
