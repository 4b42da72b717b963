#!/usr/bin/env bash
# Everything `make test` checks: lint, types, import layers, then the whole suite on SQLite and
# on PostgreSQL (with Redis), with the services started here and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

bash scripts/services.sh start > .run.env.tmp || { cat .run.env.tmp; exit 1; }
mkdir -p .run && mv .run.env.tmp .run/env
trap 'bash scripts/services.sh stop' EXIT
set -a; . .run/env; set +a

echo "== ruff";  $BIN/ruff check src tests
echo "== mypy";  $BIN/mypy
echo "== import-linter"; $BIN/lint-imports

echo "== pytest on SQLite"
env -u KEFU_TEST_DATABASE_URL -u KEFU_TEST_REDIS_URL $BIN/pytest -q -p no:cacheprovider "$@"

echo "== pytest on PostgreSQL + Redis"
$BIN/pytest -q -p no:cacheprovider "$@"
