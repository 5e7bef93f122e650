#!/usr/bin/env bash
# Policy at the edge, measured (figures in docs/src/benchmarks.md), on a throwaway
# Postgres 15 with the release build and wrk on loopback:
#  1. warm GET /auth/check of a key holding a rate limit and credits against
#     a plain key (and /healthz), interleaved rounds; then the same with
#     10^5 more keys holding policies in the database;
#  2. one rate limit shared by 2 and by 3 processes under wrk load: the
#     requests accepted in each of 20 periods against the limit;
#  3. credits spent by 2 processes under load, one killed with SIGKILL
#     mid-run, 20 runs: the accepted requests against the starting credits.
# DURATION (default 5s) sets each wrk run of part 1.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/postgres.sh
need_cargo
command -v wrk >/dev/null || apt_install wrk

DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}

say "Building keyward (release)"
cargo build --release --locked --bin keyward
KEYWARD_BIN="$CARGO_TARGET_DIR/release/keyward"

work=$(mktemp -d)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() { stop_all; stop_postgres; rm -rf "$work"; }
trap cleanup EXIT
start_postgres

rate() { wrk -t2 -c16 -d"$DURATION" "$@" | awk '/^Requests\/sec/ { print $2 }'; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

fresh_database() {
  local name="bench_policy_$1"
  psql "$KEYWARD_TEST_POSTGRES_URL" -qc "CREATE DATABASE $name"
  export DATABASE_URL="${KEYWARD_TEST_POSTGRES_URL%/*}/$name"
  "$KEYWARD_BIN" migrate >/dev/null
  admin=$("$KEYWARD_BIN" region create --name "bench-$1" --json \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"]["token"])')
}

# Starts a keyward serve on a free port (left in $port) and waits until it
# answers warm keys from memory.
serve() {
  port=$(free_port)
  RUST_LOG=warn "$KEYWARD_BIN" serve --bind "127.0.0.1:$port" --no-bootstrap --console-dir "$work/none" \
    --auth-failures-per-address 1000000000 >>"$work/keyward.out" 2>>"$work/keyward.err" &
  pids+=($!)
  for _ in $(seq 1 400); do
    curl -s "http://127.0.0.1:$port/readyz" | grep -q '"warm_keys_from":"memory"' && return
    sleep 0.05
  done
  echo "keyward on $port never trusted its cache" >&2
  exit 1
}

new_key() { # port body -> token
  curl -s -X POST -H "x-api-key: $admin" -H 'content-type: application/json' -d "$2" \
    "http://127.0.0.1:$1/auth/region/api-keys" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

POLICY='{"rate_limits":[{"name":"requests","limit":1000000000,"period_s":60}],"credits":{"remaining":1000000000000}}'

compare() { # label
  local plain limited
  plain=$(new_key "$port" '{}')
  limited=$(new_key "$port" "$POLICY")
  for token in "$plain" "$limited"; do
    test "$(status -H "x-api-key: $token" "http://127.0.0.1:$port/auth/check")" = 200
  done
  say "$1: $ROUNDS interleaved rounds of /healthz, a plain key, a key with a rate limit and credits"
  for round in $(seq 1 "$ROUNDS"); do
    local healthz check policy
    healthz=$(rate "http://127.0.0.1:$port/healthz")
    check=$(rate -H "x-api-key: $plain" "http://127.0.0.1:$port/auth/check")
    policy=$(rate -H "x-api-key: $limited" "http://127.0.0.1:$port/auth/check")
    python3 -c "print(f'round $round: /healthz $healthz/s, plain key $check/s, key with policy $policy/s, policy : plain = {$policy / $check:.2f}')"
  done
}

# 1. The cost of a policy on the hot path.
fresh_database hot
serve
compare "A database with one region"
stop_all
say "Adding 100000 keys with a rate limit and credits each, in a region of their own"
"$KEYWARD_BIN" region create --name bench-bulk --json >/dev/null
psql "$DATABASE_URL" -q <<'SQL'
INSERT INTO api_keys (id, region_id, lookup, secret_hash, preview, created_at, updated_at, scopes,
                      meta, rate_limits, allowed_networks)
SELECT 'key_' || lpad(n::text, 16, '0'), (SELECT id FROM regions WHERE name = 'bench-bulk'), 'bench' || lpad(n::text, 19, '0'),
       'not-a-hash', 'kw_live_bench…', now(), now(), '', '{}',
       '[{"name":"requests","limit":1000,"period_s":60}]', '[]'
FROM generate_series(1, 100000) AS n;
INSERT INTO credit_balances (holder_id, region_id, remaining, baseline, refilled_at)
SELECT 'key_' || lpad(n::text, 16, '0'), (SELECT id FROM regions WHERE name = 'bench-bulk'), 1000, 1000, now()
FROM generate_series(1, 100000) AS n;
SQL
serve
compare "The same with 10^5 keys holding policies"
stop_all

# 2. One limit shared by several processes.
cat >"$work/periods.lua" <<'LUA'
-- Counts the allowed answers per period of PERIOD seconds, by the time the
-- answer arrived; done() prints them summed over threads.
local period = tonumber(os.getenv("PERIOD"))
threads = {}
function setup(thread) table.insert(threads, thread) end
counts = {}
function response(status)
  if status == 200 then
    local at = math.floor(os.time() / period)
    counts[at] = (counts[at] or 0) + 1
  end
end
function done()
  local total = {}
  for _, thread in ipairs(threads) do
    for at, count in pairs(thread:get("counts")) do total[at] = (total[at] or 0) + count end
  end
  for at, count in pairs(total) do io.write(at, " ", count, "\n") end
end
LUA
LIMIT=2000 PERIOD=2
for processes in 2 3; do
  fresh_database "shared$processes"
  ports=()
  for _ in $(seq 1 "$processes"); do serve; ports+=("$port"); done
  token=$(new_key "${ports[0]}" "{\"rate_limits\":[{\"name\":\"shared\",\"limit\":$LIMIT,\"period_s\":$PERIOD}]}")
  say "$processes processes, one limit of $LIMIT per $PERIOD s, 22 periods of load on all of them"
  : >"$work/periods.txt"
  loads=()
  for p in "${ports[@]}"; do
    PERIOD=$PERIOD wrk -t1 -c8 -d44s -s "$work/periods.lua" -H "x-api-key: $token" \
      "http://127.0.0.1:$p/auth/check" >"$work/load-$p.txt" &
    loads+=($!)
  done
  wait "${loads[@]}"
  for p in "${ports[@]}"; do grep -E '^[0-9]+ [0-9]+$' "$work/load-$p.txt" >>"$work/periods.txt"; done
  python3 - "$work/periods.txt" "$LIMIT" <<'PY'
import sys, collections
totals = collections.Counter()
for line in open(sys.argv[1]):
    at, count = map(int, line.split())
    totals[at] += count
limit = int(sys.argv[2])
# The first and last periods were only partly under load.
periods = sorted(totals)[1:-1][:20]
accepted = [totals[at] for at in periods]
print(f"periods: {len(accepted)}; accepted per period: min {min(accepted)}, max {max(accepted)}; "
      f"worst against the limit: {max(abs(a - limit) for a in accepted) / limit:.1%} "
      f"(over the limit in {sum(a > limit for a in accepted)} periods)")
PY
  stop_all
done

# 3. Credits across a kill -9, 20 runs.
STARTING=20000
say "Credits: $STARTING per run, 2 processes under load, one killed with SIGKILL after 1 s; 20 runs"
fresh_database credits
worst_lost=0
for run in $(seq 1 20); do
  serve; first=$port; first_pid=${pids[-1]}
  serve; second=$port
  token=$(new_key "$first" "{\"credits\":{\"remaining\":$STARTING}}")
  wrk -t1 -c8 -d4s -H "x-api-key: $token" "http://127.0.0.1:$first/auth/check" >"$work/first.txt" 2>&1 &
  first_wrk=$!
  wrk -t1 -c8 -d6s -H "x-api-key: $token" "http://127.0.0.1:$second/auth/check" >"$work/second.txt" 2>&1 &
  second_wrk=$!
  sleep 1
  kill -9 "$first_pid"
  wait "$first_wrk" "$second_wrk" || true
  accepted=$(python3 - "$work/first.txt" "$work/second.txt" <<'PY'
import re, sys
total = 0
for path in sys.argv[1:]:
    text = open(path).read()
    requests = int(re.search(r"(\d+) requests in", text).group(1))
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    total += requests - (int(refused.group(1)) if refused else 0)
print(total)
PY
)
  stop_all
  verdict=$([ "$accepted" -le "$STARTING" ] && echo "never over" || echo "OVER-SPENT")
  echo "run $run: accepted $accepted of $STARTING ($verdict; $((STARTING - accepted)) not spent: the killed process's step, and what the load did not reach)"
done
