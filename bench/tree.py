#!/usr/bin/env python3
"""The tree anchors of ../shared/bench/anchors.py (same data split, same params), single-threaded,
timed in both wall and CPU seconds (time.process_time), so soma's CPU figure can be compared with
the anchor's on a machine other sessions are loading. One JSON line per fit.

Usage: /usr/bin/python3 bench/tree.py bench/data [--only gbdt,rf]
"""
import json, sys, time
import numpy as np, pandas as pd


def emit(**kw):
    print(json.dumps(kw), flush=True)


def timed(f):
    w, c = time.perf_counter(), time.process_time()
    r = f()
    return r, time.perf_counter() - w, time.process_time() - c


def main():
    d = sys.argv[1]
    only = set(sys.argv[sys.argv.index('--only') + 1].split(',')) if '--only' in sys.argv else {'gbdt', 'rf'}
    import xgboost as xgb, sklearn
    from sklearn.metrics import roc_auc_score, mean_squared_error, accuracy_score
    b = pd.read_csv(f'{d}/synth_binary.csv')
    yb = b.pop('label').values
    Xb = b.values.astype(np.float32)
    ntr = int(len(Xb) * 0.8)
    if 'gbdt' in only:
        m, w, c = timed(lambda: xgb.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method='hist', max_bin=256, n_jobs=1).fit(Xb[:ntr], yb[:ntr]))
        emit(task='gbdt_binary', system=f'xgboost-{xgb.__version__}-hist', threads=1, train_s=round(w, 3), train_cpu_s=round(c, 3),
             auc=round(roc_auc_score(yb[ntr:], m.predict_proba(Xb[ntr:])[:, 1]), 4))
        r = pd.read_csv(f'{d}/synth_regression.csv')
        yr = r.pop('target').values
        Xr = r.values.astype(np.float32)
        nr = int(len(Xr) * 0.8)
        m, w, c = timed(lambda: xgb.XGBRegressor(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method='hist', max_bin=256, n_jobs=1).fit(Xr[:nr], yr[:nr]))
        emit(task='gbdt_regression', system=f'xgboost-{xgb.__version__}-hist', threads=1, train_s=round(w, 3), train_cpu_s=round(c, 3),
             rmse=round(float(np.sqrt(mean_squared_error(yr[nr:], m.predict(Xr[nr:])))), 4))
        cm = pd.read_csv(f'{d}/synth_multiclass.csv')
        yc = cm.pop('label').astype('category').cat.codes.values
        for k in ('color', 'size', 'city'):
            cm[k] = cm[k].astype('category')
        nc = int(len(cm) * 0.8)
        m, w, c = timed(lambda: xgb.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method='hist', enable_categorical=True, max_cat_to_onehot=1, n_jobs=1).fit(cm.iloc[:nc], yc[:nc]))
        emit(task='gbdt_multiclass_categorical', system=f'xgboost-{xgb.__version__}-hist', threads=1, train_s=round(w, 3), train_cpu_s=round(c, 3),
             accuracy=round(accuracy_score(yc[nc:], m.predict(cm.iloc[nc:])), 4))
    if 'rf' in only:
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.impute import SimpleImputer
        Xi = SimpleImputer().fit_transform(Xb)
        m, w, c = timed(lambda: RandomForestClassifier(n_estimators=100, max_features='sqrt', n_jobs=1, random_state=0).fit(Xi[:200000], yb[:200000]))
        emit(task='rf_binary_200k', system=f'sklearn-{sklearn.__version__}-RandomForest', threads=1, train_s=round(w, 3), train_cpu_s=round(c, 3),
             auc=round(roc_auc_score(yb[ntr:], m.predict_proba(Xi[ntr:])[:, 1]), 4))


if __name__ == '__main__':
    main()
