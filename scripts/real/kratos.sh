# Ory Kratos for the real-server suite; sourced by scripts/real-providers.
# shellcheck shell=bash
#
# Version and build: github.com/ory/kratos@v1.3.1 from the Go module proxy,
# built with the sqlite tag (cgo) so it runs on an in-memory database
# (dsn: memory) with no other service.

KRATOS_VERSION=${KRATOS_VERSION:-v1.3.1}
KRATOS_PUBLIC_PORT=${MFAKIT_REAL_KRATOS_PUBLIC_PORT:-4433}
KRATOS_ADMIN_PORT=${MFAKIT_REAL_KRATOS_ADMIN_PORT:-4434}
KRATOS_BIN="$MFAKIT_REAL_CACHE/kratos-$KRATOS_VERSION/kratos"

# kratos_build builds kratos once per version; a warm run finds the binary.
kratos_build() {
  if [ -x "$KRATOS_BIN" ]; then
    echo "real-providers: kratos $KRATOS_VERSION cached at $KRATOS_BIN"
    return 0
  fi
  command -v gcc >/dev/null || { apt-get update && apt-get install -y gcc libc6-dev; }
  local src="$MFAKIT_REAL_CACHE/kratos-$KRATOS_VERSION-src"
  module_src github.com/ory/kratos "$KRATOS_VERSION" "$src"
  # The replace points at a nested module the module zip leaves out; only
  # Kratos's own tests use it.
  (cd "$src" && go mod edit -dropreplace github.com/ory/client-go &&
    GOFLAGS=-mod=mod CGO_ENABLED=1 go build -tags sqlite -o kratos .)
  mkdir -p "$(dirname "$KRATOS_BIN")"
  mv "$src/kratos" "$KRATOS_BIN"
  rm -rf "$src"
}

# kratos_config DIR: the configuration and identity schema of the seeded
# server: in-memory SQLite, both APIs on loopback, password, TOTP and lookup
# secrets enabled, settings allowed at AAL1 so a seeded user can enrol both
# second factors in one session.
kratos_config() {
  local dir=$1
  cat >"$dir/identity.schema.json" <<'JSON'
{
  "$id": "https://mfakit.invalid/kratos/identity.schema.json",
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Person",
  "type": "object",
  "properties": {
    "traits": {
      "type": "object",
      "properties": {
        "email": {
          "type": "string",
          "format": "email",
          "ory.sh/kratos": {
            "credentials": {
              "password": { "identifier": true },
              "totp": { "account_name": true }
            }
          }
        }
      },
      "required": ["email"],
      "additionalProperties": false
    }
  }
}
JSON
  cat >"$dir/kratos.yml" <<YAML
version: v1.3.1
dsn: memory
serve:
  public:
    base_url: http://127.0.0.1:$KRATOS_PUBLIC_PORT/
    host: 127.0.0.1
    port: $KRATOS_PUBLIC_PORT
  admin:
    base_url: http://127.0.0.1:$KRATOS_ADMIN_PORT/
    host: 127.0.0.1
    port: $KRATOS_ADMIN_PORT
selfservice:
  default_browser_return_url: http://127.0.0.1:4455/
  allowed_return_urls: [http://127.0.0.1:4455]
  methods:
    password: { enabled: true }
    totp: { enabled: true, config: { issuer: mfakit } }
    lookup_secret: { enabled: true }
  flows:
    login: { ui_url: http://127.0.0.1:4455/login }
    registration: { ui_url: http://127.0.0.1:4455/registration }
    error: { ui_url: http://127.0.0.1:4455/error }
    settings:
      ui_url: http://127.0.0.1:4455/settings
      privileged_session_max_age: 15m
      required_aal: aal1
session:
  whoami:
    required_aal: aal1
identity:
  default_schema_id: default
  schemas:
    - id: default
      url: file://$dir/identity.schema.json
courier:
  smtp:
    connection_uri: smtp://127.0.0.1:1/?disable_starttls=true
secrets:
  cookie: [mfakit-real-server-cookie-secret-0123456789]
  cipher: [mfakit-real-cipher-32-bytes-abcd]
log:
  level: warning
YAML
}

# kratos_start starts Kratos on loopback, seeds alice (password, TOTP and
# lookup secrets), bob (password and TOTP) and carol (password only) through
# Kratos's own APIs, and writes $STATE/kratos.env.
kratos_start() {
  # wait_http needs curl, which a fresh Debian may lack.
  command -v curl >/dev/null || { apt-get update && apt-get install -y curl; }
  require_free_port "$KRATOS_PUBLIC_PORT" kratos
  require_free_port "$KRATOS_ADMIN_PORT" kratos
  local dir="$STATE/kratos"
  rm -rf "$dir"
  mkdir -p "$dir"
  kratos_config "$dir"
  # SQA_OPT_OUT: no usage telemetry from a test server.
  start_bg "$STATE/kratos.pid" "$dir/kratos.log" \
    env SQA_OPT_OUT=true "$KRATOS_BIN" serve -c "$dir/kratos.yml" --dev
  if ! wait_http "http://127.0.0.1:$KRATOS_ADMIN_PORT/admin/health/ready" 60; then
    tail -20 "$dir/kratos.log" >&2
    return 1
  fi
  local admin="http://127.0.0.1:$KRATOS_ADMIN_PORT" public="http://127.0.0.1:$KRATOS_PUBLIC_PORT"
  {
    echo "MFAKIT_REAL_KRATOS_VERSION=$KRATOS_VERSION"
    echo "MFAKIT_REAL_KRATOS_ADMIN_URL=$admin"
    echo "MFAKIT_REAL_KRATOS_PUBLIC_URL=$public"
    (cd "$ROOT" && go run -tags realserver ./internal/realserver/kratosseed/cmd -admin "$admin" -public "$public")
  } >"$dir/env.tmp"
  mv "$dir/env.tmp" "$STATE/kratos.env"
}

# kratos_stop stops the Kratos that kratos_start started (by its PID).
kratos_stop() {
  stop_pidfile "$STATE/kratos.pid"
  rm -f "$STATE/kratos.env"
}
