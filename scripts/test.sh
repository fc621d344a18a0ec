#!/usr/bin/env bash
# One command from a fresh clone to every test: installs what is missing, checks formatting, lint
# and types, then runs the unit tests and the integration tests. The integration tests use the
# embedded ClickHouse engine and a real Apache Kafka broker, which test/support/global-setup.ts
# starts (from Kafka's jars, fetched with Maven, when no Docker engine is available), and the
# alert-rule tests install Debian's prometheus and alertmanager packages when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/bootstrap.sh

echo "== format, lint, types"
node_modules/.bin/prettier --check . >/dev/null || {
  node_modules/.bin/prettier --list-different .
  echo "prettier: the files above need 'pnpm format'" >&2
  exit 1
}
node_modules/.bin/eslint --max-warnings 0 .
node_modules/.bin/tsc -p tsconfig.json --noEmit

report_dir=test/.artifacts
mkdir -p "$report_dir"
# Both projects run whatever the other's outcome; the script fails at the end if either did.
tests_failed=0
run_tests() {
  node_modules/.bin/vitest run --project "$1" --reporter=default --reporter=json \
    --outputFile.json="$report_dir/vitest-$1.json" || tests_failed=1
}

echo "== unit tests"
run_tests unit

# The overview page test drives Debian's chromium (never a browser downloaded by Playwright).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== installing Debian's chromium for the overview page test"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

echo "== integration tests (embedded ClickHouse, Kafka broker)"
run_tests integration

node -e '
  let passed = 0, failed = 0
  for (const project of ["unit", "integration"]) {
    const report = require(`./test/.artifacts/vitest-${project}.json`)
    passed += report.numPassedTests
    failed += report.numFailedTests
  }
  console.log(`${passed} passed, ${failed} failed`)
'
exit "$tests_failed"
