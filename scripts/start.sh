#!/usr/bin/env bash
# Installs what is needed and starts pocketCloud on embedded defaults (or on .env settings):
# FerretDB on SQLite under ./data, blobs under ./data/blobs, http://127.0.0.1:8080.
source "$(dirname "$0")/lib.sh"
require_node
install_packages
if ! grep -qs '^MONGODB_URI=.' .env && [ -z "${MONGODB_URI:-}" ]; then
  require_go "The embedded database (no MONGODB_URI set)"
fi
say "building"
npm run --silent build
exec node dist/main.js
