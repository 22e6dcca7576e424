# Loads an XGBoost JSON model with Debian's python3-xgboost and predicts a CSV feature matrix
# (header = feature names, empty cell = missing). Prints {"version", "predictions": [[...]]}.
# Used by test/cli/export-xgboost.test.ts; it is the consumer's side, so it reads nothing of soma.
import csv
import json
import sys

import numpy as np
import xgboost as xgb

model_path, matrix_path = sys.argv[1], sys.argv[2]
booster = xgb.Booster(model_file=model_path)
with open(matrix_path, newline="") as f:
    rows = csv.reader(f)
    header = next(rows)
    X = np.array([[float(v) if v != "" else np.nan for v in row] for row in rows], dtype=np.float64)
if booster.feature_names is not None and list(booster.feature_names) != header:
    sys.exit(f"feature names differ: model {booster.feature_names}, matrix {header}")
types = booster.feature_types
d = xgb.DMatrix(X, feature_names=header, feature_types=types, enable_categorical=True, missing=np.nan)
p = booster.predict(d)
print(json.dumps({"version": xgb.__version__, "predictions": p.reshape(X.shape[0], -1).astype(float).tolist()}))
