#!/usr/bin/env bash
# The demo pipeline on samples/, run twice to show it is idempotent:
#   query-orders (folder) -> apply-rules -> render -> transform (XSLT) -> deliver (hotfolder) -> mark-sent
# Run from anywhere with flowkit on PATH (`make demo` does that).
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO=.demo
rm -rf "$DEMO" && mkdir -p "$DEMO/inbox"
cp samples/orders/*.json "$DEMO/inbox/"
export FLOWKIT_CONFIG=samples/demo.toml

flowkit config check

pipeline() {
  flowkit query-orders --source inbox --unsent \
    | flowkit apply-rules \
    | flowkit render \
    | flowkit transform --xslt samples/transform/mis-jobimport.xsl --param-from-meta supplier \
    | flowkit deliver --to mis \
    | tee "$DEMO/results-$1.ndjson" \
    | flowkit query-orders mark-sent > "$DEMO/marked-$1.ndjson"
}

# After each run, one line per order: delivered where, held why, or why it was not sent again,
# read from the run's result records and the order's story in the state store.
echo "== run 1" >&2
pipeline 1
python3 samples/demo_summary.py "$DEMO" 1
echo "== run 2 (nothing new: every order is exported, held or reported)" >&2
pipeline 2
python3 samples/demo_summary.py "$DEMO" 2
echo "hotfolder $DEMO/out/mis: $(cd "$DEMO/out/mis" && ls | paste -sd, - | sed 's/,/, /g')"
echo "== stock: out-of-order messages; the late one (seq 1000) is superseded, never applied" >&2
flowkit push-stock samples/stock/message-1001.json samples/stock/late-1000.json samples/stock/inventory-1003.xml \
  samples/stock/stock-1004.csv --target web > "$DEMO/stock-results.ndjson"
echo "== shipments: partial despatches recorded, postbacks ready for deliver" >&2
flowkit import-shipment --orders samples/shipments/orders.ndjson samples/shipments/orderflow-shipment.soap.xml \
  samples/shipments/despatch.ndjson --postback json > "$DEMO/shipment-results.ndjson"
python3 - "$DEMO" <<'PY'
import collections, json, os, sys
demo = sys.argv[1]
stock = collections.Counter(json.loads(l)["body"]["result"] for l in open(os.path.join(demo, "stock-results.ndjson")))
ship = collections.Counter(json.loads(l)["kind"] for l in open(os.path.join(demo, "shipment-results.ndjson")))
print("stock lines: " + ", ".join(f"{k} {v}" for k, v in sorted(stock.items())))
print(f"shipments: {ship['shipment-result']} messages, {ship['payload']} postbacks")
PY
echo "one order's story: flowkit --config samples/demo.toml state show 1203" >&2
flowkit state show 1203 | python3 -c "import json,sys; d=json.load(sys.stdin); print('1203:', d['order']['export_status'], '-', d['order']['hold_reason'], '-', ', '.join(e['event'] for e in d['events']))"
