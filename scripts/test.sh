#!/usr/bin/env bash
# Installs what is needed and runs the whole suite: types, lint, then every test tier against a
# real FerretDB, a real S3 server (versitygw) and real MQTT clients, all started by the suite.
# Extra arguments go to vitest (e.g. scripts/test.sh test/unit).
source "$(dirname "$0")/lib.sh"
require_node
require_go "The test suite (embedded FerretDB and the versitygw S3 server)"
install_packages

# mosquitto_sub / mosquitto_pub are the second real MQTT client of the e2e tests.
if ! command -v mosquitto_sub >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing mosquitto-clients"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto-clients >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto-clients >/dev/null; }
  else
    say "please install mosquitto-clients (e.g. sudo apt-get install mosquitto-clients)"; exit 1
  fi
fi

say "type-checking"
npm run --silent typecheck
say "linting"
npm run --silent lint
rm -f test-results/vitest.json
say "running tests"
npx vitest run "$@"
