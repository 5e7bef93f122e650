#!/usr/bin/env bash
# Keyward over HTTP with wrk on loopback, in one run on one machine (figures
# in docs/src/benchmarks.md), on a throwaway Postgres 15 and on a SQLite file, each
# with the coherent verification cache on (warm keys from memory) and off
# (a read per request, --no-warm-cache):
#  - GET /auth/check with a warm key against GET /healthz (no work at all);
#  - a flood of well-formed unknown keys against /healthz, and a valid
#    client's rate alone and while such a flood runs against it;
#  - the latency (p50, p99) of /auth/check at about half its peak rate;
#  - the time a DELETE takes with 1, 2 and 4 processes serving (cache on);
#  - through nginx (Postgres, cache on): a request to an upstream with the
#    shipped auth_request configuration against the same without it.
# Installs wrk and nginx-light if missing. About ten minutes after the
# release build. DURATION (default 5s) sets each wrk run's length.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/postgres.sh
need_cargo
command -v wrk >/dev/null || apt_install wrk
ensure_proxies

DURATION=${DURATION:-5s}
CONNECTIONS=16

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

rate() { # wrk [args...] URL -> requests/s
  wrk -t2 -c"${CONNS:-$CONNECTIONS}" -d"$DURATION" "$@" | awk '/^Requests\/sec/ { print $2 }'
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# Well-formed tokens (prefix, lookup, secret, CRC32 checksum) of no key.
python3 - >"$work/unknown.txt" <<'PY'
import secrets, zlib
alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
for _ in range(20000):
    unsigned = "kw_live_" + "".join(secrets.choice(alphabet) for _ in range(36))
    value, digits = zlib.crc32(unsigned.encode()), ""
    for _ in range(6):
        digits = alphabet[value % 62] + digits
        value //= 62
    print(unsigned + digits)
PY
cat >"$work/unknown.lua" <<LUA
local tokens = {}
for line in io.lines("$work/unknown.txt") do tokens[#tokens + 1] = line end
local next = math.random(#tokens)
request = function()
  next = next % #tokens + 1
  return wrk.format("GET", "/auth/check", { ["x-api-key"] = tokens[next] })
end
LUA

# Starts a keyward serve on a free port, left in $port.
serve() {
  port=$(free_port)
  RUST_LOG=warn "$KEYWARD_BIN" serve --bind "127.0.0.1:$port" --no-bootstrap --console-dir "$work/none" \
    --auth-failures-per-address 1000000000 "$@" >>"$work/keyward.out" 2>>"$work/keyward.err" &
  pids+=($!)
  for _ in $(seq 1 200); do
    [ "$(status "http://127.0.0.1:$port/healthz")" = 200 ] && break
    sleep 0.05
  done
}

# Waits until the process on $1 answers warm keys from memory.
wait_for_memory() {
  for _ in $(seq 1 200); do
    curl -s "http://127.0.0.1:$1/readyz" | grep -q '"warm_keys_from":"memory"' && return
    sleep 0.05
  done
  echo "the process on port $1 never trusted its cache" >&2
  exit 1
}

measure() { # backend mode
  local backend=$1 mode=$2 flags=() token
  if [ "$mode" = database ]; then flags=(--no-warm-cache); fi
  token=$("$KEYWARD_BIN" region create --name "bench-$mode-$RANDOM" --json \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"]["token"])')
  serve "${flags[@]}"
  if [ "$mode" = memory ]; then wait_for_memory "$port"; fi
  test "$(status -H "x-api-key: $token" "http://127.0.0.1:$port/auth/check")" = 200
  say "$backend, warm keys from $mode"
  local healthz check flood alone during paced
  healthz=$(rate "http://127.0.0.1:$port/healthz")
  check=$(rate -H "x-api-key: $token" "http://127.0.0.1:$port/auth/check")
  flood=$(rate -s "$work/unknown.lua" "http://127.0.0.1:$port")
  alone=$(CONNS=8 rate -H "x-api-key: $token" "http://127.0.0.1:$port/auth/check")
  CONNS=8 rate -s "$work/unknown.lua" "http://127.0.0.1:$port" >/dev/null &
  local flooding=$!
  during=$(CONNS=8 rate -H "x-api-key: $token" "http://127.0.0.1:$port/auth/check")
  wait "$flooding"
  echo "GET /healthz                          $healthz requests/s"
  echo "GET /auth/check, warm key             $check requests/s    ratio to /healthz $(ratio "$check" "$healthz")"
  echo "GET /auth/check, unknown keys (flood) $flood requests/s    ratio to /healthz $(ratio "$flood" "$healthz")"
  echo "a valid client (8 connections) alone  $alone requests/s"
  echo "the same while 8 connections flood    $during requests/s    ratio $(ratio "$during" "$alone")"
  # wrk paces each connection with a whole-millisecond delay between
  # requests: for each delay, enough connections to offer about half the
  # peak; the run whose rate comes nearest half is reported.
  local best="" delay_ms conns
  for delay_ms in 1 2 3 4; do
    conns=$(python3 -c "print(max(2, round($check / 2 * ($delay_ms + 0.3) / 1000)))")
    echo "function delay() return $delay_ms end" >"$work/paced.lua"
    wrk -t2 -c"$conns" -d"$DURATION" --latency -s "$work/paced.lua" -H "x-api-key: $token" \
      "http://127.0.0.1:$port/auth/check" >"$work/paced-$delay_ms.txt"
    paced=$(awk '/^Requests\/sec/ { print $2 }' "$work/paced-$delay_ms.txt")
    best=$(python3 -c "
b = '$best'.split()
print('$delay_ms $paced $conns' if not b or abs($paced - $check / 2) < abs(float(b[1]) - $check / 2) else '$best')")
  done
  read -r delay_ms paced conns <<<"$best"
  echo "at about half the peak: $paced requests/s ($(ratio "$paced" "$check") of it; $conns connections, $delay_ms ms apart):" \
    "$(grep -E '^ +50%' "$work/paced-$delay_ms.txt" | awk '{print "p50 " $2}')," \
    "$(grep -E '^ +99%' "$work/paced-$delay_ms.txt" | awk '{print "p99 " $2}')"
  stop_all
}

# The median time of 15 DELETEs through one of $1 processes.
delete_time() {
  local count=$1 ports=() token
  token=$("$KEYWARD_BIN" region create --name "bench-delete-$count-$RANDOM" --json \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"]["token"])')
  for _ in $(seq 1 "$count"); do serve; ports+=("$port"); done
  for port in "${ports[@]}"; do wait_for_memory "$port"; done
  local times=() id
  for _ in $(seq 1 15); do
    id=$(curl -s -X POST -H "x-api-key: $token" -H 'content-type: application/json' -d '{}' \
      "http://127.0.0.1:${ports[0]}/auth/region/api-keys" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
    times+=("$(curl -s -o /dev/null -w '%{time_total}' -X DELETE -H "x-api-key: $token" \
      "http://127.0.0.1:${ports[0]}/auth/region/api-keys/$id")")
  done
  echo "DELETE with $count serving process(es): median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 8p) s"
  stop_all
}

for backend in postgres sqlite; do
  if [ "$backend" = postgres ]; then
    export DATABASE_URL="$KEYWARD_TEST_POSTGRES_URL"
  else
    export DATABASE_URL="sqlite://$work/bench.db?mode=rwc"
  fi
  "$KEYWARD_BIN" migrate >/dev/null
  measure "$backend" memory
  measure "$backend" database
  say "$backend: the time a DELETE takes (cache on)"
  for count in 1 2 4; do delete_time "$count"; done
done

say "Through nginx (Postgres, warm keys from memory)"
export DATABASE_URL="$KEYWARD_TEST_POSTGRES_URL"
token=$("$KEYWARD_BIN" region create --name "bench-nginx" --json \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"]["token"])')
serve --client-ip-header x-forwarded-for
keyward_port=$port
wait_for_memory "$keyward_port"
auth_port=$(free_port); plain_port=$(free_port); upstream_port=$(free_port)
sed -e "s/127.0.0.1:3000/127.0.0.1:$keyward_port/" -e "s/127.0.0.1:8080/127.0.0.1:$upstream_port/" \
    -e "s/listen 127.0.0.1:8000/listen 127.0.0.1:$auth_port/" deploy/nginx/keyward.conf >"$work/keyward.conf"
cat >"$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log stderr error;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/body; proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  include $work/keyward.conf;
  server { listen 127.0.0.1:$upstream_port; location / { return 200 "upstream\n"; } }
  server { listen 127.0.0.1:$plain_port; location / { proxy_pass http://regional_api; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
CONF
/usr/sbin/nginx -e stderr -p "$work" -c nginx.conf -g 'daemon off; master_process off;' &
pids+=($!)
for _ in $(seq 1 100); do [ "$(status "http://127.0.0.1:$plain_port/")" = 200 ] && break; sleep 0.05; done
test "$(status -H "x-api-key: $token" "http://127.0.0.1:$auth_port/orders")" = 200
test "$(status "http://127.0.0.1:$auth_port/orders")" = 401
plain=$(rate "http://127.0.0.1:$plain_port/orders")
guarded=$(rate -H "x-api-key: $token" "http://127.0.0.1:$auth_port/orders")
echo "without auth_request  $plain requests/s"
echo "with auth_request     $guarded requests/s   ratio with/without $(ratio "$guarded" "$plain")"
