# Shared by start.sh and test.sh: checks the toolchain and installs npm packages when needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\033[1mpocketcloud:\033[0m %s\n' "$*" >&2; }

require_node() {
  if ! command -v node >/dev/null; then
    say "Node.js >= 20.19 is required (https://nodejs.org)."; exit 1
  fi
  node -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    if (a < 20 || (a === 20 && b < 19)) {
      console.error(`pocketcloud: Node.js >= 20.19 is required; this is ${process.versions.node}.`);
      process.exit(1);
    }'
}

# npm ci when node_modules is missing or older than the lockfile.
install_packages() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# Go builds the embedded FerretDB (and, for tests, the S3 server) on first use.
require_go() {
  if ! command -v go >/dev/null; then
    say "$1 needs the Go toolchain (>= 1.24): https://go.dev/dl/"; exit 1
  fi
}
