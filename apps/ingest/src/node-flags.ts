/**
 * The Node flags the receiver starts with (apps/ingest/bin/start.sh).
 *
 * `--max-semi-space-size=16` caps V8's young generation at two 16 MB semi-spaces. Left to
 * size it from the heap limit, V8 lets them grow to 64 MB each on a 4 GB heap, and at a
 * steady light load the receiver then collected only with full mark-compacts, about every
 * 0.5 s, each pausing its event loop for up to ~20 ms besides marking steps of up to ~20 ms.
 * With the cap it collects mostly with scavenges, and in the ingest benchmark it spent
 * ~40% less time in collections at half load, 11–17% less CPU per span and ~90 MiB less
 * memory, with a shorter ingest tail in most runs (docs/benchmarks.md, thirteenth
 * session). A `--max-semi-space-size` in `NODE_OPTIONS` replaces it (the script then leaves
 * it out: Node reads `NODE_OPTIONS` first, and the command line would override it).
 */
export const INGEST_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=16"];
