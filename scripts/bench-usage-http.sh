#!/usr/bin/env bash
# Usage insight on the hot path (figures in docs/src/benchmarks.md): a warm
# GET /auth/check with requests counted (the default) against the same with
# `--no-usage-insight` (only last_used_at), GET /healthz beside each as the
# reference, release build, a SQLite file, wrk on loopback.
#
# Each run starts one `keyward serve` on a fresh database (never two at
# once), waits until it answers warm keys from memory, warms it, measures
# /healthz, /auth/check and /healthz again, and stops it; the runs
# alternate on, off, on, off, ... (ROUNDS pairs, default 3). After each run
# the counts the shutdown flushed are read back from the database file:
# counting on must have counted every request curl and wrk made, counting
# off none.
# DURATION (default 5s) sets each wrk run's length; PORT (default 3990)
# the port the server listens on; KEYWARD_BIN a binary built already (a
# copy, so a build meanwhile cannot change it; default: build one).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_cargo
command -v wrk >/dev/null || apt_install wrk

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-3990}
CONNECTIONS=16

if [ -z "${KEYWARD_BIN:-}" ]; then
  say "Building keyward (release)"
  cargo build --release --locked --bin keyward
  KEYWARD_BIN="$CARGO_TARGET_DIR/release/keyward"
fi

work=$(mktemp -d)
server=""
stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT

status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
wrk_run() { # wrk [args...] URL -> wrk's output
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$@"
}
rate_of() { awk '/^Requests\/sec/ { print $2 }'; }
requests_of() { awk '/requests in/ { print $1 }'; }

run() { # mode (on|off) round
  local mode=$1 round=$2 flags=() token db out check_out
  if [ "$mode" = off ]; then flags=(--no-usage-insight); fi
  db="$work/$mode-$round.db"
  export DATABASE_URL="sqlite://$db?mode=rwc"
  "$KEYWARD_BIN" migrate >/dev/null
  token=$("$KEYWARD_BIN" region create --name "bench-usage-$mode-$round" --json \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"]["token"])')
  RUST_LOG=warn "$KEYWARD_BIN" serve --bind "127.0.0.1:$PORT" --no-bootstrap --console-dir "$work/none" \
    --usage-flush-ms 2000 "${flags[@]}" >>"$work/keyward.out" 2>>"$work/keyward.err" &
  server=$!
  for _ in $(seq 1 200); do
    [ "$(status "http://127.0.0.1:$PORT/healthz")" = 200 ] && break
    sleep 0.05
  done
  for _ in $(seq 1 200); do
    curl -s "http://127.0.0.1:$PORT/readyz" | grep -q '"warm_keys_from":"memory"' && break
    sleep 0.05
  done
  curl -s "http://127.0.0.1:$PORT/readyz" | grep -q '"warm_keys_from":"memory"' \
    || { echo "the server never trusted its cache" >&2; exit 1; }
  # Warm-up: a few requests one by one, then a second of load (not counted).
  local warm_up=0
  for _ in $(seq 1 20); do
    test "$(status -H "x-api-key: $token" "http://127.0.0.1:$PORT/auth/check")" = 200
    warm_up=$((warm_up + 1))
  done
  out=$(wrk -t2 -c"$CONNECTIONS" -d1s -H "x-api-key: $token" "http://127.0.0.1:$PORT/auth/check")
  warm_up=$((warm_up + $(requests_of <<<"$out")))
  local before after
  before=$(wrk_run "http://127.0.0.1:$PORT/healthz" | rate_of)
  check_out=$(wrk_run -H "x-api-key: $token" "http://127.0.0.1:$PORT/auth/check")
  check=$(rate_of <<<"$check_out")
  after=$(wrk_run "http://127.0.0.1:$PORT/healthz" | rate_of)
  healthz=$(python3 -c "print(f'{($before + $after) / 2:.2f}')")
  stop_server # flushes what is left
  local made counted
  made=$((warm_up + $(requests_of <<<"$check_out")))
  counted=$(python3 - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT COALESCE(SUM(accepted), 0) FROM key_usage WHERE resolution = 'hour'").fetchone()[0])
PY
)
  # wrk counts only answers it read: requests cut off as it stops can be
  # counted by the server and not by wrk (at most one per connection and
  # wrk run: the warm-up and the measurement).
  if [ "$mode" = on ]; then
    [ "$counted" -ge "$made" ] && [ "$counted" -le $((made + 2 * CONNECTIONS)) ] \
      || { echo "on: $counted requests counted, curl and wrk made $made" >&2; exit 1; }
  else
    [ "$counted" = 0 ] || { echo "off: $counted requests counted" >&2; exit 1; }
  fi
  printf '%-4s %s   /healthz %9s, %9s   /auth/check %9s   ratio to /healthz (mean) %s   (requests counted: %s of %s)\n' \
    "$mode" "$round" "$before" "$after" "$check" "$(python3 -c "print(f'{$check / $healthz:.3f}')")" "$counted" "$made"
  echo "$mode $healthz $check" >>"$work/rates"
}

say "Counting on against --no-usage-insight, SQLite file, wrk -t2 -c$CONNECTIONS -d$DURATION, $ROUNDS rounds"
for round in $(seq 1 "$ROUNDS"); do
  run on "$round"
  run off "$round"
done
python3 - "$work/rates" <<'PY'
import sys
from statistics import mean, median
rows = [line.split() for line in open(sys.argv[1])]
on = [(float(r[1]), float(r[2])) for r in rows if r[0] == "on"]
off = [(float(r[1]), float(r[2])) for r in rows if r[0] == "off"]
check_on, check_off = mean(c for _, c in on), mean(c for _, c in off)
print(f"/auth/check, mean: on {check_on:,.0f}, off {check_off:,.0f} requests/s; ratio on/off {check_on / check_off:.3f}")
pairs = [a[1] / b[1] for a, b in zip(on, off)]
print("ratio on/off, round by round: " + ", ".join(f"{p:.3f}" for p in pairs) + f"; median {median(pairs):.3f}")
print(f"/healthz, mean: in the on runs {mean(h for h, _ in on):,.0f}, in the off runs {mean(h for h, _ in off):,.0f} requests/s")
print(f"/auth/check to /healthz, mean of the runs: on {mean(c / h for h, c in on):.3f}, off {mean(c / h for h, c in off):.3f}")
PY
