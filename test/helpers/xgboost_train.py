# Trains an XGBoost model with Debian's python3-xgboost on a CSV, the way a user outside soma
# would, and writes what `soma import xgboost` takes: the JSON model, a features file, and
# XGBoost's own predictions for every row (to compare with soma's). Used by
# test/cli/import-xgboost.test.ts.
#   xgboost_train.py DATA.csv TARGET OBJECTIVE OUT_DIR [key=value params...]
# Categorical columns are those whose values are not all numbers; their categories are sorted,
# and category i is code i (what the features file tells soma).
import csv
import json
import math
import sys

import numpy as np
import xgboost as xgb

data, target, objective, out = sys.argv[1:5]
params = dict(kv.split("=", 1) for kv in sys.argv[5:])
with open(data, newline="") as f:
    rows = [r for r in csv.DictReader(f) if r[target] != ""]
names = [c for c in rows[0].keys() if c != target]


def is_number(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


features = []
columns = []
for n in names:
    values = [r[n] for r in rows]
    if all(v == "" or is_number(v) for v in values):
        features.append({"name": n, "type": "numeric"})
        columns.append([float(v) if v != "" else math.nan for v in values])
    else:
        cats = sorted({v for v in values if v != ""})
        features.append({"name": n, "type": "categorical", "categories": cats})
        columns.append([float(cats.index(v)) if v != "" else math.nan for v in values])
X = np.array(columns, dtype=np.float64).T
labels = [r[target] for r in rows]
spec = {"target": target, "features": features}
if objective.startswith("binary") or objective.startswith("multi"):
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels], dtype=np.float64)
    spec["classes"] = classes
else:
    y = np.array([float(v) for v in labels])
types = ["c" if f["type"] == "categorical" else "float" for f in features]
d = xgb.DMatrix(X, label=y, feature_names=names, feature_types=types, enable_categorical=True, missing=np.nan)
p = {"objective": objective, "tree_method": "hist", "seed": 0, "nthread": 1}
rounds = int(params.pop("rounds", "20"))
for k, v in params.items():
    p[k] = v
if objective.startswith("multi"):
    p["num_class"] = len(spec["classes"])
booster = xgb.train(p, d, rounds)
booster.save_model(f"{out}/model.json")
with open(f"{out}/features.json", "w") as f:
    json.dump(spec, f)
pred = booster.predict(d)
with open(f"{out}/xgb_predictions.json", "w") as f:
    json.dump(pred.reshape(X.shape[0], -1).astype(float).tolist(), f)
