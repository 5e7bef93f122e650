#!/usr/bin/env bash
# Webhook delivery, measured (figures in docs/src/benchmarks.md), with the release
# build on a throwaway Postgres 15 and the suite's reference receiver
# (scripts/webhooks/receiver.py) on loopback:
#  1. the hot path: warm GET /auth/check of a region with an endpoint for
#     every event against one without (events are written with changes,
#     never on verification);
#  2. from a change's answer (a key created over REST) to its delivery,
#     median and p99 of 200, with 1 and with 2 processes serving;
#  3. 1000 messages waiting while no process runs (an outage), then one
#     process started: the time until all have arrived.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/postgres.sh
need_cargo
command -v wrk >/dev/null || apt_install wrk
ensure_webhook_receiver

say "Building keyward (release)"
cargo build --release --locked --bin keyward
export KEYWARD_BIN="$CARGO_TARGET_DIR/release/keyward"
work=$(mktemp -d)
cleanup() { stop_postgres; rm -rf "$work"; }
trap cleanup EXIT
start_postgres
export BENCH_WORK="$work"
"$KEYWARD_WEBHOOK_PYTHON" scripts/webhooks/bench.py
