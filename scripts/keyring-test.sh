#!/usr/bin/env bash
# Runs the OS keyring integration tests against a real GNOME Keyring in a
# private D-Bus session: make test calls it through dbus-run-session. The
# keyring lives in a throw-away HOME; Go's caches stay where they were.
set -euo pipefail
export GOPATH="$(go env GOPATH)" GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/.cache" "$home/.local/share/keyrings"
export HOME="$home" XDG_DATA_HOME="$home/.local/share"
eval "$(printf 'test-keyring-password' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
TPPWIZARD_KEYRING_TEST=1 CGO_ENABLED=0 go test -tags ci -count=1 -run 'OSKeyring' -v ./core/identity/ 2>&1 | grep -E '^(=== RUN|--- |ok|FAIL|PASS)'
