#!/usr/bin/env bash
# Installs each interop SDK with the AssemblyScript version it needs, into
# test/interop/<sdk>/node_modules (separate from the project's own compiler). CI runs this
# before the tests: bash test/interop/install.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for dir in "$here"/*/; do
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts)
  fi
done
