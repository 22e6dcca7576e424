#!/usr/bin/env python3
"""The anchor of bench/regression-spread.js: XGBoost-hist on synth_regression (the split and params of
../shared/bench/anchors.py) over the same 12 trivial variants soma runs: max_bin 256, 255, 254, 252,
248, 240 times base_score 0.5 (XGBoost 1.7's default) or the training mean. One JSON line per fit.

Usage: /usr/bin/python3 bench/regression_spread.py bench/data [--threads N]
"""
import json, sys
import numpy as np, pandas as pd


def main():
    d = sys.argv[1]
    threads = int(sys.argv[sys.argv.index('--threads') + 1]) if '--threads' in sys.argv else 2
    import xgboost as xgb
    r = pd.read_csv(f'{d}/synth_regression.csv')
    y = r.pop('target').values
    X = r.values.astype(np.float32)
    n = int(len(X) * 0.8)
    mean = float(y[:n].mean())
    for max_bin in [256, 255, 254, 252, 248, 240]:
        for base in ['0.5', 'mean']:
            m = xgb.XGBRegressor(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method='hist', max_bin=max_bin,
                                 base_score=0.5 if base == '0.5' else mean, n_jobs=threads).fit(X[:n], y[:n])
            rmse = float(np.sqrt(np.mean((m.predict(X[n:]) - y[n:]) ** 2)))
            print(json.dumps(dict(system=f'xgboost-{xgb.__version__}-hist', max_bin=max_bin, base_score=base, rmse=round(rmse, 4))), flush=True)


if __name__ == '__main__':
    main()
