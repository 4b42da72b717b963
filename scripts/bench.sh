#!/usr/bin/env bash
# `make bench`: every benchmark, results as JSON under bench/results/ (one file each).
# Starts PostgreSQL for the PostgreSQL figures, like `make test`, and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
OUT=bench/results
mkdir -p "$OUT"

bash scripts/services.sh start > .run.bench.env
trap 'bash scripts/services.sh stop; rm -f .run.bench.env' EXIT
set -a; . ./.run.bench.env; set +a

echo "== chat, SQLite"
$BIN/kefu bench chat --clients 200 --messages 25 --database sqlite --idle 1000 --json | tee "$OUT/chat-sqlite.json"
echo "== chat, PostgreSQL"
$BIN/kefu bench chat --clients 200 --messages 25 --database postgres \
  --postgres-url "$KEFU_TEST_DATABASE_URL" --json | tee "$OUT/chat-postgres.json"

echo "== routing: a simulated busy day through the router, SQLite"
$BIN/kefu bench routing --conversations 20000 --agents 60 --database sqlite --json | tee "$OUT/routing-sqlite.json"
echo "== routing, PostgreSQL"
$BIN/kefu bench routing --conversations 20000 --agents 60 --database postgres \
  --postgres-url "$KEFU_TEST_DATABASE_URL" --json | tee "$OUT/routing-postgres.json"

echo "== bot: BANKING77, out of scope, Chinese intents and sentiment (needs ../shared/data)"
$BIN/python scripts/bench_bot.py --out "$OUT/bot.json"

echo "== shift scheduling: a week for ~400 agents, CP-SAT, 60 s limit"
$BIN/python scripts/bench_schedule.py --out "$OUT/schedule-week-400.json"

echo "== forecast: rolling-origin backtest on the bank call centre (needs ../shared/data)"
$BIN/python scripts/bench_forecast.py --out "$OUT/forecast-backtest.json"

echo "== aspect mining: zh-sentiment held-out reviews and the hand-checked gold sample (needs ../shared/data)"
$BIN/python scripts/eval_aspects.py --out "$OUT/aspects-zh.json"

echo "== demo seeding (SQLite)"
tmp=$(mktemp -d)
start=$(date +%s.%N)
KEFU_DATABASE_URL="sqlite+aiosqlite:///$tmp/demo.db" $BIN/kefu demo --no-serve > "$tmp/demo.log"
end=$(date +%s.%N)
python3 - "$start" "$end" > "$OUT/demo-sqlite.json" <<'PY'
import json, sys
print(json.dumps({"benchmark": "demo", "database": "sqlite",
                  "migrate_seed_seconds": round(float(sys.argv[2]) - float(sys.argv[1]), 2)}))
PY
cat "$OUT/demo-sqlite.json"
rm -rf "$tmp"
