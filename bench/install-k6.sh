#!/usr/bin/env bash
# Installs k6 (a Go program) with the Go toolchain, pinned, and prints its path.
# k6 is looked up on PATH, then in the Go bin folder; it is built only when missing.
set -euo pipefail
K6_VERSION="${K6_VERSION:-v1.8.1}"
gobin="$(go env GOBIN 2>/dev/null || true)"
[[ -n "$gobin" ]] || gobin="$(go env GOPATH 2>/dev/null)/bin"
for candidate in "$(command -v k6 || true)" "$gobin/k6"; do
  if [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" version 2>/dev/null | grep -q "${K6_VERSION#v}"; then
    echo "$candidate"
    exit 0
  fi
done
command -v go >/dev/null || { echo "install-k6.sh: Go is needed to build k6 (go install go.k6.io/k6@$K6_VERSION)" >&2; exit 1; }
echo "install-k6.sh: building k6 $K6_VERSION with go install (about 2 minutes)" >&2
go install "go.k6.io/k6@$K6_VERSION" >&2
echo "$gobin/k6"
