# Casdoor for the real-server suite; sourced by scripts/real-providers.
# shellcheck shell=bash
#
# Casdoor v1.1000.0 (github.com/casdoor/casdoor) with its built-in SQLite,
# seeded from init_data.json: an organization, an application with a fixed
# client ID/secret, and users with fixed access keys.

CASDOOR_VERSION=v1.1000.0
CASDOOR_PORT=${MFAKIT_REAL_CASDOOR_PORT:-18000}

casdoor_bin() { echo "$MFAKIT_REAL_CACHE/casdoor-$CASDOOR_VERSION/casdoor"; }

# casdoor_build builds the pinned version once; a warm run finds the binary.
casdoor_build() {
  local dir=$MFAKIT_REAL_CACHE/casdoor-$CASDOOR_VERSION
  if [ -x "$dir/casdoor" ]; then
    echo "real-providers: casdoor $CASDOOR_VERSION cached at $dir/casdoor"
    return 0
  fi
  module_src github.com/casdoor/casdoor "$CASDOOR_VERSION" "$dir.src"
  (cd "$dir.src" && go build -o casdoor .)
  mkdir -p "$dir"
  mv "$dir.src/casdoor" "$dir/casdoor"
  rm -rf "$dir.src"
}

# Seeded credentials: throwaway values for a loopback server with a fresh
# database, written to $STATE/casdoor.env for the tests.
CASDOOR_ORG=mfakit
CASDOOR_APP=mfakit-app
CASDOOR_CLIENT_ID=mfakit0client0id0001
CASDOOR_CLIENT_SECRET=mfakit0client0secret0000000000000001
CASDOOR_ADMIN_KEY=mfakit-admin-access-key-0001
CASDOOR_ADMIN_SECRET=mfakit-admin-access-secret-0001
CASDOOR_BOB_KEY=mfakit-bob-access-key-0002
CASDOOR_BOB_SECRET=mfakit-bob-access-secret-0002
CASDOOR_OTHER_KEY=mfakit-other-access-key-0003
CASDOOR_OTHER_SECRET=mfakit-other-access-secret-0003

# casdoor_init_data writes init_data.json: organizations mfakit and
# other-org, an application with a fixed client ID/secret, and users with
# fixed access keys (admin and bob in mfakit, otheradmin admin of
# other-org, carol and dave in mfakit without keys). Casdoor refuses a user
# of an organization without an application, so other-org has one too.
casdoor_init_data() {
  cat <<JSON
{
  "organizations": [
    {"owner": "admin", "name": "$CASDOOR_ORG", "displayName": "mfakit", "passwordType": "plain", "passwordOptions": ["AtLeast6"], "countryCodes": ["US"], "languages": ["en"], "initScore": 0, "enableSoftDeletion": false, "isProfilePublic": false},
    {"owner": "admin", "name": "other-org", "displayName": "other-org", "passwordType": "plain", "passwordOptions": ["AtLeast6"], "countryCodes": ["US"], "languages": ["en"], "initScore": 0, "enableSoftDeletion": false, "isProfilePublic": false}
  ],
  "applications": [
    {"owner": "admin", "name": "$CASDOOR_APP", "displayName": "mfakit", "organization": "$CASDOOR_ORG", "cert": "cert-built-in", "enablePassword": true, "clientId": "$CASDOOR_CLIENT_ID", "clientSecret": "$CASDOOR_CLIENT_SECRET", "grantTypes": ["client_credentials"], "redirectUris": ["http://127.0.0.1/callback"], "tokenFormat": "JWT", "expireInHours": 1},
    {"owner": "admin", "name": "other-app", "displayName": "other", "organization": "other-org", "cert": "cert-built-in", "enablePassword": true, "clientId": "mfakit0other0app0id0", "clientSecret": "mfakit0other0app0secret000000000000002", "grantTypes": ["client_credentials"], "redirectUris": ["http://127.0.0.1/callback"], "tokenFormat": "JWT", "expireInHours": 1}
  ],
  "users": [
    {"owner": "$CASDOOR_ORG", "name": "admin", "type": "normal-user", "password": "mfakit-admin-pw", "displayName": "Admin", "email": "admin@mfakit.test", "isAdmin": true, "accessKey": "$CASDOOR_ADMIN_KEY", "accessSecret": "$CASDOOR_ADMIN_SECRET"},
    {"owner": "$CASDOOR_ORG", "name": "bob", "type": "normal-user", "password": "mfakit-bob-pw", "displayName": "Bob", "email": "bob@mfakit.test", "isAdmin": false, "accessKey": "$CASDOOR_BOB_KEY", "accessSecret": "$CASDOOR_BOB_SECRET"},
    {"owner": "$CASDOOR_ORG", "name": "carol", "type": "normal-user", "password": "mfakit-carol-pw", "displayName": "Carol", "email": "carol@mfakit.test", "isAdmin": false},
    {"owner": "$CASDOOR_ORG", "name": "dave", "type": "normal-user", "password": "mfakit-dave-pw", "displayName": "Dave", "email": "dave@mfakit.test", "isAdmin": false},
    {"owner": "other-org", "name": "otheradmin", "type": "normal-user", "password": "mfakit-other-pw", "displayName": "Other admin", "email": "otheradmin@mfakit.test", "isAdmin": true, "accessKey": "$CASDOOR_OTHER_KEY", "accessSecret": "$CASDOOR_OTHER_SECRET"}
  ]
}
JSON
}

# casdoor_api PATH FORM...: POST a multipart form as the application.
casdoor_api() {
  local path=$1 args=() kv
  shift
  for kv in "$@"; do args+=(-F "$kv"); done
  curl -fsS --max-time 10 -u "$CASDOOR_CLIENT_ID:$CASDOOR_CLIENT_SECRET" "${args[@]}" "http://127.0.0.1:$CASDOOR_PORT$path"
}

# casdoor_enrol_totp USER: enrol TOTP for mfakit/USER through Casdoor's own
# MFA setup API (initiate gives the secret; enable stores it).
casdoor_enrol_totp() {
  local out secret
  out=$(casdoor_api /api/mfa/setup/initiate owner=$CASDOOR_ORG name="$1" mfaType=app)
  secret=$(printf '%s' "$out" | sed -n 's/.*"secret": *"\([A-Z2-7]*\)".*/\1/p' | head -1)
  [ -n "$secret" ] || { echo "real-providers: casdoor: no TOTP secret for $1: $out" >&2; return 1; }
  out=$(casdoor_api /api/mfa/setup/enable owner=$CASDOOR_ORG name="$1" mfaType=app secret="$secret" recoveryCodes=mfakit-recovery-"$1")
  printf '%s' "$out" | grep -q '"status": *"ok"' || { echo "real-providers: casdoor: enabling TOTP for $1: $out" >&2; return 1; }
}

# casdoor_start starts Casdoor on 127.0.0.1:$CASDOOR_PORT with a fresh
# SQLite database. Casdoor kills whatever listens on its port when it
# starts, so a taken port is refused first.
casdoor_start() {
  local dir=$STATE/casdoor
  if ! command -v curl >/dev/null; then # a fresh Debian: seeding and readiness use curl
    apt-get update && apt-get install -y curl
  fi
  require_free_port "$CASDOOR_PORT" casdoor
  rm -rf "$dir"
  mkdir -p "$dir/conf"
  cat >"$dir/conf/app.conf" <<CONF
appname = casdoor
httpaddr = 127.0.0.1
httpport = $CASDOOR_PORT
runmode = prod
copyrequestbody = true
driverName = sqlite
dataSourceName = file:casdoor.db?cache=shared
dbName = casdoor
tableNamePrefix =
showSql = false
redisEndpoint =
defaultStorageProvider =
isCloudIntranet = false
authState = "casdoor"
socks5Proxy =
verificationCodeTimeout = 10
initScore = 0
logPostOnly = true
isUsernameLowered = false
origin = http://127.0.0.1:$CASDOOR_PORT
staticBaseUrl = "https://cdn.casbin.org"
isDemoMode = false
batchSize = 100
enableErrorMask = false
enableGzip = false
ldapServerPort = 0
ldapsServerPort = 0
radiusServerPort = 0
radiusDefaultOrganization = "built-in"
radiusSecret = "secret"
quota = {"organization": -1, "user": -1, "application": -1, "provider": -1}
logConfig = {"adapter":"file", "filename": "logs/casdoor.log", "maxdays":1, "perm":"0770"}
initDataNewOnly = true
initDataFile = "./init_data.json"
frontendBaseDir = "./web"
CONF
  casdoor_init_data >"$dir/init_data.json"
  (cd "$dir" && start_bg "$STATE/casdoor.pid" "$dir/casdoor.log" "$(casdoor_bin)")
  local i
  for i in $(seq 300); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$CASDOOR_PORT/api/health" 2>/dev/null && break
    if ! kill -0 "$(cat "$STATE/casdoor.pid")" 2>/dev/null; then
      echo "real-providers: casdoor exited on start:" >&2
      tail -20 "$dir/casdoor.log" >&2
      rm -f "$STATE/casdoor.pid"
      return 1
    fi
    sleep 0.2
  done
  wait_http "http://127.0.0.1:$CASDOOR_PORT/api/health" 1 || { tail -20 "$dir/casdoor.log" >&2; return 1; }
  casdoor_enrol_totp bob
  casdoor_enrol_totp carol
  cat >"$STATE/casdoor.env" <<ENV
MFAKIT_REAL_CASDOOR_URL=http://127.0.0.1:$CASDOOR_PORT
MFAKIT_REAL_CASDOOR_ORG=$CASDOOR_ORG
MFAKIT_REAL_CASDOOR_APP=$CASDOOR_APP
MFAKIT_REAL_CASDOOR_CLIENT_ID=$CASDOOR_CLIENT_ID
MFAKIT_REAL_CASDOOR_CLIENT_SECRET=$CASDOOR_CLIENT_SECRET
MFAKIT_REAL_CASDOOR_ADMIN_KEY=$CASDOOR_ADMIN_KEY
MFAKIT_REAL_CASDOOR_ADMIN_SECRET=$CASDOOR_ADMIN_SECRET
MFAKIT_REAL_CASDOOR_BOB_KEY=$CASDOOR_BOB_KEY
MFAKIT_REAL_CASDOOR_BOB_SECRET=$CASDOOR_BOB_SECRET
MFAKIT_REAL_CASDOOR_OTHER_KEY=$CASDOOR_OTHER_KEY
MFAKIT_REAL_CASDOOR_OTHER_SECRET=$CASDOOR_OTHER_SECRET
ENV
}

# casdoor_stop stops exactly the process casdoor_start started.
casdoor_stop() {
  stop_pidfile "$STATE/casdoor.pid"
  rm -f "$STATE/casdoor.env"
}
