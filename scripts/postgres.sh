# start_postgres / stop_postgres: a throwaway Postgres 15 in a temp dir,
# loopback only, on a free port, trust auth. Sets KEYWARD_TEST_POSTGRES_URL.

PG_BIN=/usr/lib/postgresql/15/bin

start_postgres() {
  [ -x "$PG_BIN/initdb" ] || apt_install postgresql-15
  PG_DIR=$(mktemp -d -t keyward-pg.XXXXXX)
  PG_PORT=$(free_port)
  local run=()
  # Postgres refuses to run as root: use the postgres user then.
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PG_DIR"
    run=(runuser -u postgres --)
  fi
  PG_RUN=("${run[@]}")
  "${run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=400" start >/dev/null \
    || { cat "$PG_DIR/postgres.log" >&2; return 1; }
  export KEYWARD_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "Postgres is up on 127.0.0.1:$PG_PORT (data in $PG_DIR)"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
