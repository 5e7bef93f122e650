#!/usr/bin/env bash
# Runs Keyward on this machine: builds the release binary (and the console,
# once it exists), then serves on KEYWARD_BIND (default 127.0.0.1:3000)
# over the embedded SQLite database in ./data/. On the first start it
# creates a region and prints its first API key once.
# Extra arguments go to `keyward serve` (see `keyward serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_cargo

if [ -x scripts/build-console.sh ]; then
  scripts/build-console.sh
fi

say "Building keyward (release; the first build takes a few minutes)"
cargo build --release --locked --bin keyward

say "Starting keyward (Ctrl-C stops it)"
exec "$CARGO_TARGET_DIR/release/keyward" serve "$@"
