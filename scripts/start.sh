#!/usr/bin/env bash
# One command from a fresh clone to a running Fairwatch: installs what is missing (Node 24 when the
# machine's Node is older than 22, pnpm, the workspace's packages), then runs `fairwatch start`
# with the embedded ClickHouse engine and the simulated credit model. Arguments go to `start`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/bootstrap.sh
exec node_modules/.bin/tsx packages/cli/src/main.ts start "$@"
