#!/usr/bin/env python3
"""The anchor of bench/regression-curve.js: XGBoost-hist on synth_regression (the split and params of
../shared/bench/anchors.py), 1000 trees per starting score (0.5 and the training mean), test RMSE with
the first 100, 200, 300, 500 and 1000 trees (iteration_range). One JSON line per fit.

Usage: /usr/bin/python3 bench/regression_curve.py bench/data [--threads N]
"""
import json, sys
import numpy as np, pandas as pd

TREES = [100, 200, 300, 500, 1000]


def main():
    d = sys.argv[1]
    threads = int(sys.argv[sys.argv.index('--threads') + 1]) if '--threads' in sys.argv else 2
    import xgboost as xgb
    r = pd.read_csv(f'{d}/synth_regression.csv')
    y = r.pop('target').values
    X = r.values.astype(np.float32)
    n = int(len(X) * 0.8)
    for base in ['0.5', 'mean']:
        m = xgb.XGBRegressor(n_estimators=TREES[-1], max_depth=6, learning_rate=0.1, tree_method='hist', max_bin=256,
                             base_score=0.5 if base == '0.5' else float(y[:n].mean()), n_jobs=threads).fit(X[:n], y[:n])
        rmse = {k: round(float(np.sqrt(np.mean((m.predict(X[n:], iteration_range=(0, k)) - y[n:]) ** 2))), 4) for k in TREES}
        print(json.dumps(dict(system=f'xgboost-{xgb.__version__}-hist', base_score=base, rmse=rmse)), flush=True)


if __name__ == '__main__':
    main()
