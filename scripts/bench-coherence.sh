#!/usr/bin/env bash
# What a key change costs at 10^3 to 10^7 keys (figures in docs/src/benchmarks.md):
# on a throwaway Postgres 15, for each size a fresh database filled by SQL,
# two `keyward serve` processes on it, and
#  - the time each process takes to trust its cache (from its start until
#    GET /readyz says "warm_keys_from":"memory"; both start together);
#  - ROUNDS (default 20) changes through process 1: create a key, then
#    DELETE it, the DELETE timed (curl's time_total): median and worst;
#  - VmRSS of both processes after those changes;
#  - warm GET /auth/check on process 2 with wrk alone, and again while a
#    key is created and deleted through process 1 every 0.2 s.
# SIZES (default "1000 100000 1000000 10000000") sets the sizes, DURATION
# (default 5s) each wrk run's length. KEYWARD_BIN runs a given binary
# instead of building this tree's (e.g. an older commit's, to compare); the
# schema always comes from that binary's own `keyward migrate`. The keys
# beyond the first are copies of the first region's admin key (same secret
# hash and scopes, unique ids and lookups), 400 per region (a region holds
# at most 500 by default, and deleting a key reads its region's keys); the
# regions beyond the first are copies too. New keys are not paced here
# (--new-keys-per-minute), as the failure throttle is not. 10^7 keys take about 5 GB in the
# Postgres data dir (under TMPDIR, default /tmp) and a few minutes to fill.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/postgres.sh
command -v wrk >/dev/null || apt_install wrk

SIZES=${SIZES:-"1000 100000 1000000 10000000"}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-20}
KEYS_PER_REGION=400
BATCH=1000000
CONNECTIONS=16

if [ -z "${KEYWARD_BIN:-}" ]; then
  need_cargo
  say "Building keyward (release)"
  cargo build --release --locked --bin keyward
  KEYWARD_BIN="$CARGO_TARGET_DIR/release/keyward"
fi
[ -x "$KEYWARD_BIN" ] || { echo "no keyward binary at $KEYWARD_BIN" >&2; exit 1; }
echo "keyward binary: $KEYWARD_BIN"

work=$(mktemp -d)
pids=()
changer=""
stop_all() {
  if [ -n "$changer" ]; then kill "$changer" 2>/dev/null || true; wait "$changer" 2>/dev/null || true; changer=""; fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
cleanup() { stop_all; stop_postgres; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
start_postgres
ADMIN_URL="$KEYWARD_TEST_POSTGRES_URL"
psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At "$ADMIN_URL" "$@"; }
# Bulk loading: fewer checkpoints while the tables fill.
psql_admin -c "ALTER SYSTEM SET max_wal_size = '8GB'" -c "ALTER SYSTEM SET checkpoint_timeout = '30min'" \
  -c "SELECT pg_reload_conf()" >/dev/null

now() { date +%s%N; }
elapsed() { local ms=$(( ($(now) - $1) / 1000000 )); printf '%d.%02d' $((ms / 1000)) $((ms % 1000 / 10)); }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
json() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
rate() { # wrk [args...] URL -> requests/s
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$@" | awk '/^Requests\/sec/ { print $2 }'
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

# Starts a keyward serve on a free port: its port in $port, its pid in $pid.
serve() {
  port=$(free_port)
  RUST_LOG=warn "$KEYWARD_BIN" serve --bind "127.0.0.1:$port" --no-bootstrap --console-dir "$work/none" \
    --auth-failures-per-address 1000000000 --new-keys-per-minute 1000000000 >>"$work/keyward.out" 2>>"$work/keyward.err" &
  pid=$!
  pids+=("$pid")
}

# Waits until each process on the ports $@ answers warm keys from memory
# (at most 30 minutes); prints the seconds since $started for each.
wait_for_memory() {
  local started=$1; shift
  local left=("$@") done_at=() deadline
  deadline=$(( $(date +%s) + 1800 ))
  declare -A took
  while [ "${#left[@]}" -gt 0 ]; do
    local still=()
    for p in "${left[@]}"; do
      if curl -s --max-time 2 "http://127.0.0.1:$p/readyz" | grep -q '"warm_keys_from":"memory"'; then
        took[$p]=$(elapsed "$started")
      else
        still+=("$p")
      fi
    done
    left=("${still[@]+"${still[@]}"}")
    if [ "$(date +%s)" -gt "$deadline" ]; then
      echo "a process never trusted its cache (ports ${left[*]}); its log:" >&2
      tail -20 "$work/keyward.err" >&2
      exit 1
    fi
    [ "${#left[@]}" -gt 0 ] && sleep 0.02
  done
  for p in "$@"; do done_at+=("${took[$p]}"); done
  echo "${done_at[*]}"
}

# Creates a key through $1 and deletes it; prints the DELETE's time_total.
change() {
  local id
  id=$(curl -s --max-time 300 -X POST -H "x-api-key: $token" -H 'content-type: application/json' -d '{}' \
    "http://127.0.0.1:$1/auth/region/api-keys" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  [ -n "$id" ] || { echo "POST made no key" >&2; return 1; }
  curl -s --max-time 300 -o "$work/delete.out" -w '%{http_code} %{time_total}\n' -X DELETE -H "x-api-key: $token" \
    "http://127.0.0.1:$1/auth/region/api-keys/$id" >"$work/delete.status"
  local code seconds
  read -r code seconds <"$work/delete.status"
  [ "$code" = 204 ] || { echo "DELETE answered $code: $(cat "$work/delete.out")" >&2; return 1; }
  echo "$seconds"
}

# Clones the row of $table whose id is $source into rows $lo..$hi of
# generate_series (i), each column a copy unless given in $overrides
# (lines "column expression"). The columns come from the database, so the
# same works on every schema version.
clone_rows() {
  local table=$1 source=$2 lo=$3 hi=$4 overrides=$5 columns select
  columns=$(psql_db -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position)
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$table'")
  select=$(for column in ${columns//,/ }; do
      expression=$(awk -v c="$column" '$1 == c { $1 = ""; sub(/^ /, ""); print }' <<<"$overrides")
      echo "${expression:-s.$column}"
    done | paste -sd, -)
  psql_db -c "INSERT INTO $table ($columns) SELECT $select FROM $table s CROSS JOIN generate_series($lo, $hi) i
    WHERE s.id = '$source'"
}

summary=()
for size in $SIZES; do
  say "$size keys"
  db="bench_$size"
  psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  export DATABASE_URL="${ADMIN_URL%/postgres}/$db"
  psql_db() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At "$DATABASE_URL" "$@"; }
  "$KEYWARD_BIN" migrate >/dev/null
  created=$("$KEYWARD_BIN" region create --name "bench-admin" --json)
  token=$(json 'd["api_key"]["token"]' <<<"$created")
  admin_key=$(json 'd["api_key"]["id"]' <<<"$created")
  admin_region=$(json 'd["region"]["id"]' <<<"$created")

  started=$(now)
  regions=$(( (size - 1) / KEYS_PER_REGION ))
  if [ "$regions" -gt 0 ]; then
    clone_rows regions "$admin_region" 1 "$regions" "id 'reg_bench' || lpad(i::text, 8, '0')
name 'bench-' || lpad(i::text, 8, '0')"
  fi
  # Key i (1 <= i < size) goes to region i / 400 (0: the admin's region).
  # Lookups: 12 characters, unique by construction (hex of i, zero-padded
  # behind a "b"; random ones would collide at 10^7: 48 bits of md5 give
  # 0.2 expected pairs), so no insert ever fails on the unique index.
  for (( lo = 1; lo < size; lo += BATCH )); do
    hi=$(( lo + BATCH - 1 < size - 1 ? lo + BATCH - 1 : size - 1 ))
    clone_rows api_keys "$admin_key" "$lo" "$hi" "id 'key_bench' || lpad(i::text, 9, '0')
region_id CASE WHEN i < $KEYS_PER_REGION THEN s.region_id ELSE 'reg_bench' || lpad((i / $KEYS_PER_REGION)::text, 8, '0') END
lookup 'b' || lpad(to_hex(i), 11, '0')
preview 'kw_live_b' || lpad(to_hex(i), 11, '0') || '…'"
  done
  psql_db -c "ANALYZE" -c "CHECKPOINT"
  echo "filled: $(psql_db -c 'SELECT count(*) FROM api_keys') keys in $(psql_db -c 'SELECT count(*) FROM regions') regions" \
    "in $(elapsed "$started") s, database $(psql_db -c "SELECT pg_size_pretty(pg_database_size('$db'))")"

  started=$(now)
  serve; port1=$port; pid1=$pid
  serve; port2=$port; pid2=$pid
  read -r trust1 trust2 <<<"$(wait_for_memory "$started" "$port1" "$port2")"
  echo "trusting its cache after: process 1 $trust1 s, process 2 $trust2 s (both started together)"

  times=()
  for _ in $(seq 1 "$ROUNDS"); do times+=("$(change "$port1")"); done
  read -r median worst <<<"$(printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
t = [float(x) * 1000 for x in sys.stdin]
print(f"{statistics.median(t):.1f} {max(t):.1f}")')"
  echo "DELETE through process 1 ($ROUNDS rounds): median $median ms, worst $worst ms"
  rss1=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid1/status")
  rss2=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid2/status")
  echo "VmRSS after $ROUNDS changes: process 1 $rss1 MiB, process 2 $rss2 MiB"

  test "$(status -H "x-api-key: $token" "http://127.0.0.1:$port2/auth/check")" = 200
  wait_for_memory "$(now)" "$port2" >/dev/null
  alone=$(rate -H "x-api-key: $token" "http://127.0.0.1:$port2/auth/check")
  # A key created and deleted through process 1 every 0.2 s (from the
  # start of one round to the next; at once when a round takes longer).
  : >"$work/changes.txt"
  rm -f "$work/stop"
  (
    while [ ! -e "$work/stop" ]; do
      next=$(( $(now) + 200000000 ))
      change "$port1" >>"$work/changes.txt"
      left=$(( next - $(now) ))
      if [ "$left" -gt 0 ]; then sleep "$(printf '0.%09d' "$left")"; fi
    done
  ) &
  changer=$!
  during=$(rate -H "x-api-key: $token" "http://127.0.0.1:$port2/auth/check")
  touch "$work/stop"
  wait "$changer" || { echo "a change failed while wrk ran" >&2; exit 1; }
  changer=""
  rounds_during=$(wc -l <"$work/changes.txt")
  echo "warm GET /auth/check on process 2 alone               $alone requests/s"
  echo "the same, a key created and deleted every 0.2 s     $during requests/s ($rounds_during rounds in $DURATION)    ratio $(ratio "$during" "$alone")"
  summary+=("| $size | $trust1 / $trust2 s | $median ms | $worst ms | $rss1 / $rss2 MiB | $alone | $during ($rounds_during rounds) | $(ratio "$during" "$alone") |")

  stop_all
  psql_admin -c "DROP DATABASE $db WITH (FORCE)"
done

say "Summary ($KEYWARD_BIN)"
echo "| keys | trusting after (process 1 / 2) | DELETE median | DELETE worst | VmRSS (process 1 / 2) | /auth/check alone, req/s | with a change every 0.2 s | ratio |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
