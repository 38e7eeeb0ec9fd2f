#!/usr/bin/env bash
# Installs each interop SDK with the AssemblyScript version it needs, into
# test/interop/<sdk>/node_modules (separate from the project's own compiler). The interop tests
# do the same for a missing install on their first run; this does it ahead of time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for dir in "$here"/*/; do
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
  fi
done
