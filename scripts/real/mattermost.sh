# scripts/real/mattermost.sh: Mattermost (github.com/mattermost/mattermost-server/v6)
# with PostgreSQL from Debian, for the mattermost/ real-server tests. Sourced
# by scripts/real-providers (with lib.sh).
# shellcheck shell=bash

MATTERMOST_MODULE=github.com/mattermost/mattermost-server/v6
MATTERMOST_VERSION=v6.7.2

mattermost_bin() { echo "$MFAKIT_REAL_CACHE/mattermost-$MATTERMOST_VERSION/mattermost"; }

# mattermost_build builds ./cmd/mattermost once per version. The module zip
# carries only vendor/modules.txt, so vendor/ is removed; its pinned
# golang.org/x/net uses a go:linkname that Go >= 1.23 refuses without
# -checklinkname=0.
mattermost_build() {
  local bin src
  bin=$(mattermost_bin)
  if [ -x "$bin" ]; then
    echo "real-providers: mattermost $MATTERMOST_VERSION cached at $bin"
    return 0
  fi
  src="$MFAKIT_REAL_CACHE/src/mattermost-$MATTERMOST_VERSION"
  mkdir -p "$MFAKIT_REAL_CACHE/src" "$(dirname "$bin")"
  module_src "$MATTERMOST_MODULE" "$MATTERMOST_VERSION" "$src"
  rm -rf "$src/vendor"
  (cd "$src" && GOFLAGS=-mod=mod go build -ldflags=-checklinkname=0 -o "$bin.tmp" ./cmd/mattermost)
  mv "$bin.tmp" "$bin"
  # The server reads i18n/, templates/, fonts/ and config/ next to its working
  # directory; keep them with the binary, drop the rest of the source.
  local d
  for d in i18n templates fonts config; do
    [ -d "$src/$d" ] && cp -r "$src/$d" "$(dirname "$bin")/"
  done
  rm -rf "$src"
}

# Ports and throwaway state. The limiter is the one the real-server tests
# measure against: 5 requests/s, burst 20, one bucket per token
# (VaryByHeader Authorization on top of the remote address).
MATTERMOST_PORT=${MFAKIT_REAL_MATTERMOST_PORT:-18065}
MATTERMOST_PG_PORT=${MFAKIT_REAL_MATTERMOST_PG_PORT:-15433}
MATTERMOST_PER_SEC=5
MATTERMOST_MAX_BURST=20
MATTERMOST_BULK_USERS=200

# mattermost_pg_bin prints the directory of PostgreSQL's server programs,
# installing what a fresh Debian lacks: the postgresql package, and curl
# (wait_http).
mattermost_pg_bin() {
  local d pkgs=()
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  { [ -n "$d" ] && [ -x "$d/initdb" ]; } || pkgs+=(postgresql)
  command -v curl >/dev/null || pkgs+=(curl)
  if [ ${#pkgs[@]} -gt 0 ]; then
    echo "real-providers: installing ${pkgs[*]} (apt-get)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >&2
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$d"
}

# mattermost_as_pg runs a PostgreSQL program as the postgres user when we are
# root (PostgreSQL refuses to run as root), else as ourselves.
mattermost_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# mattermost_server RUNDIR LIMITER: exec the server (so that start_bg's PID is
# the server's) in RUNDIR, with the rate limiter on (true) or off (false).
# MM_* variables override config.json; nothing talks to the network but
# loopback.
mattermost_server() {
  local run=$1 limiter=$2
  cd "$run" || return 1
  exec env \
    MM_SQLSETTINGS_DRIVERNAME=postgres \
    MM_SQLSETTINGS_DATASOURCE="postgres://postgres@127.0.0.1:$MATTERMOST_PG_PORT/mattermost?sslmode=disable&connect_timeout=10" \
    MM_SERVICESETTINGS_LISTENADDRESS="127.0.0.1:$MATTERMOST_PORT" \
    MM_SERVICESETTINGS_SITEURL="http://127.0.0.1:$MATTERMOST_PORT" \
    MM_SERVICESETTINGS_ENABLEMULTIFACTORAUTHENTICATION=true \
    MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS=true \
    MM_SERVICESETTINGS_ENABLELOCALMODE=false \
    MM_SERVICESETTINGS_ENABLESECURITYFIXALERT=false \
    MM_SERVICESETTINGS_ENABLELINKPREVIEWS=false \
    MM_PLUGINSETTINGS_ENABLE=false \
    MM_PLUGINSETTINGS_ENABLEMARKETPLACE=false \
    MM_LOGSETTINGS_ENABLEDIAGNOSTICS=false \
    MM_LOGSETTINGS_ENABLEFILE=false \
    MM_LOGSETTINGS_CONSOLELEVEL=INFO \
    MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS=false \
    MM_TEAMSETTINGS_ENABLEOPENSERVER=true \
    MM_FILESETTINGS_DIRECTORY="$run/data/" \
    MM_RATELIMITSETTINGS_ENABLE="$limiter" \
    MM_RATELIMITSETTINGS_PERSEC="$MATTERMOST_PER_SEC" \
    MM_RATELIMITSETTINGS_MAXBURST="$MATTERMOST_MAX_BURST" \
    MM_RATELIMITSETTINGS_VARYBYREMOTEADDR=true \
    MM_RATELIMITSETTINGS_VARYBYUSER=false \
    MM_RATELIMITSETTINGS_VARYBYHEADER=Authorization \
    "$(mattermost_bin)" server --config "$run/config/config.json"
}

# mattermost_start starts PostgreSQL and Mattermost on loopback, seeds users
# through Mattermost's API with the limiter off (an admin, a member, users
# with TOTP enrolled, 200 more for the bulk run), then restarts Mattermost
# with the limiter on, and writes $STATE/mattermost.env.
mattermost_start() {
  local pgbin run pgdata root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  require_free_port "$MATTERMOST_PORT" mattermost
  require_free_port "$MATTERMOST_PG_PORT" "mattermost's PostgreSQL"
  pgbin=$(mattermost_pg_bin)

  # PostgreSQL runs as postgres, which cannot enter root's home: its data
  # lives under /tmp, named in $STATE so that stop finds it.
  pgdata=$(mktemp -d /tmp/mfakit-mattermost-pg.XXXXXX)
  echo "$pgdata" >"$STATE/mattermost-pgdata"
  [ "$(id -u)" = 0 ] && chown postgres "$pgdata"
  mattermost_as_pg "$pgbin/initdb" -D "$pgdata/data" -U postgres -A trust -E UTF8 >"$STATE/mattermost-initdb.log" 2>&1
  mattermost_as_pg "$pgbin/pg_ctl" -D "$pgdata/data" -l "$pgdata/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $MATTERMOST_PG_PORT -c unix_socket_directories=$pgdata -c fsync=off" start >/dev/null
  head -n 1 "$pgdata/data/postmaster.pid" >"$STATE/mattermost-pg.pid"
  mattermost_as_pg "$pgbin/psql" -h 127.0.0.1 -p "$MATTERMOST_PG_PORT" -U postgres -q -c 'CREATE DATABASE mattermost' >/dev/null

  run="$STATE/mattermost-run"
  rm -rf "$run"
  mkdir -p "$run/config" "$run/data" "$run/logs"
  local d
  for d in i18n templates fonts client; do
    [ -e "$(dirname "$(mattermost_bin)")/$d" ] && ln -s "$(dirname "$(mattermost_bin)")/$d" "$run/$d"
  done
  cp "$(dirname "$(mattermost_bin)")/config/config.json" "$run/config/config.json" 2>/dev/null || true

  start_bg "$STATE/mattermost.pid" "$STATE/mattermost-seed-server.log" mattermost_server "$run" false
  wait_http "http://127.0.0.1:$MATTERMOST_PORT/api/v4/system/ping" 120
  (cd "$root" && go run ./mattermost/internal/realmm/seed \
    -url "http://127.0.0.1:$MATTERMOST_PORT" -bulk "$MATTERMOST_BULK_USERS" \
    -per-sec "$MATTERMOST_PER_SEC" -max-burst "$MATTERMOST_MAX_BURST" \
    -env "$STATE/mattermost.env")
  stop_pidfile "$STATE/mattermost.pid"

  require_free_port "$MATTERMOST_PORT" mattermost
  start_bg "$STATE/mattermost.pid" "$STATE/mattermost-server.log" mattermost_server "$run" true
  wait_http "http://127.0.0.1:$MATTERMOST_PORT/api/v4/system/ping" 120
}

# mattermost_stop stops exactly the Mattermost and PostgreSQL this script
# started (by their PIDs) and removes their data.
mattermost_stop() {
  stop_pidfile "$STATE/mattermost.pid"
  stop_pidfile "$STATE/mattermost-pg.pid"
  if [ -f "$STATE/mattermost-pgdata" ]; then
    rm -rf "$(cat "$STATE/mattermost-pgdata")"
    rm -f "$STATE/mattermost-pgdata"
  fi
  rm -rf "$STATE/mattermost-run" "$STATE/mattermost.env"
}
