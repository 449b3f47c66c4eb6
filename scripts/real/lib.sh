# Shared helpers for scripts/real/NAME.sh; sourced by scripts/real-providers.
# shellcheck shell=bash

# timed LABEL CMD...: run CMD and print how long it took.
timed() {
  local label=$1 start=$SECONDS
  shift
  "$@"
  echo "real-providers: $label: $((SECONDS - start)) s"
}

# port_free PORT: true when nothing listens on 127.0.0.1:PORT.
port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# require_free_port PORT NAME: refuse to start NAME on a taken port (Casdoor,
# for one, kills whatever owns its port on start).
require_free_port() {
  if ! port_free "$1"; then
    echo "real-providers: port 127.0.0.1:$1 for $2 is taken; refusing to start" >&2
    return 1
  fi
}

# wait_http URL SECONDS: wait until URL answers 2xx, or fail.
wait_http() {
  local url=$1 deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      echo "real-providers: $url not ready after $2 s" >&2
      return 1
    fi
    sleep 0.2
  done
}

# start_bg PIDFILE LOG CMD...: start CMD in the background, remember its PID.
start_bg() {
  local pidfile=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  echo $! >"$pidfile"
}

# stop_pidfile PIDFILE: stop exactly the process in PIDFILE (TERM, then KILL
# after 10 s), then remove the file.
stop_pidfile() {
  local pidfile=$1 pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# module_src MODULE VERSION DEST: a writable copy of MODULE@VERSION's source
# from the Go module proxy (go install refuses these modules; see each
# provider's script).
module_src() {
  local mod=$1 ver=$2 dest=$3 dir
  dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "$mod@$ver" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { echo "real-providers: go mod download $mod@$ver gave no Dir" >&2; return 1; }
  rm -rf "$dest"
  cp -r "$dir" "$dest"
  chmod -R u+w "$dest"
}
