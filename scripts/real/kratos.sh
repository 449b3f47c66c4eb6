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
