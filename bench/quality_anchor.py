#!/usr/bin/python3
"""Small real data sets, split once, scored by scikit-learn's estimators at their defaults.

Writes OUT_DIR/<set>/{train,test}.csv and meta.json (target, task), then prints one JSON line per
(set, anchor) with the test metric. `bench/quality.js` trains soma on the very same files.

Sets: scikit-learn's bundled CSVs (Debian's python3-sklearn), vega-datasets (npm) and
statsmodels' data sets (Debian's python3-statsmodels). Split: 70/30, stratified for
classification, random_state=0 (train_test_split). Anchors, every one at its defaults:
HistGradientBoosting*, RandomForest*, Ridge / LogisticRegression, MLP*. The estimators that cannot
take missing values or strings get what a scikit-learn user writes for them: median imputation,
and for the linear models and MLP standard scaling and one-hot encoding (trees: ordinal codes).
Run with /usr/bin/python3 (Debian's scikit-learn 1.2.1).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
import warnings

SK = '/usr/lib/python3/dist-packages/sklearn/datasets/data'
SM = '/usr/lib/python3/dist-packages/statsmodels/datasets'
HERE = os.path.dirname(os.path.abspath(__file__))
VEGA = os.path.join(HERE, '..', 'node_modules', 'vega-datasets', 'data')


def sk_counted(name):
    """scikit-learn's CSVs whose first line is `rows,features,class names...`."""
    raw = pd.read_csv(os.path.join(SK, name), skiprows=1, header=None)
    names = [f'x{i}' for i in range(raw.shape[1] - 1)] + ['target']
    raw.columns = names
    raw['target'] = raw['target'].astype(int).astype(str)
    return raw


def digits():
    with gzip.open(os.path.join(SK, 'digits.csv.gz')) as f:
        a = np.loadtxt(f, delimiter=',')
    df = pd.DataFrame(a[:, :-1], columns=[f'p{i}' for i in range(64)])
    df['target'] = a[:, -1].astype(int).astype(str)
    return df


def diabetes():
    with gzip.open(os.path.join(SK, 'diabetes_data_raw.csv.gz')) as f:
        x = np.loadtxt(f)
    with gzip.open(os.path.join(SK, 'diabetes_target.csv.gz')) as f:
        y = np.loadtxt(f)
    df = pd.DataFrame(x, columns=['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'])
    df['progression'] = y
    return df


def boston():
    return pd.read_csv(os.path.join(SK, 'boston_house_prices.csv'), skiprows=1)


def vega_json(name):
    return pd.read_json(os.path.join(VEGA, name))


def cars():
    df = vega_json('cars.json').drop(columns=['Name'])
    df['Year'] = pd.to_datetime(df['Year']).dt.strftime('%Y-%m-%d')
    return df.dropna(subset=['Miles_per_Gallon'])


def penguins():
    df = vega_json('penguins.json').dropna(subset=['Species'])
    df['Sex'] = df['Sex'].replace('.', np.nan)
    return df


def seattle():
    return pd.read_csv(os.path.join(VEGA, 'seattle-weather.csv'))


def anes96():
    df = pd.read_csv(os.path.join(SM, 'anes96', 'anes96.csv'), sep='\t')
    df.columns = [c.strip("'") for c in df.columns]
    df['vote'] = df['vote'].astype(int).astype(str)
    return df


def fair():
    df = pd.read_csv(os.path.join(SM, 'fair', 'fair.csv'))
    df['affair'] = np.where(df.pop('affairs') > 0, 'yes', 'no')
    return df


def star98():
    df = pd.read_csv(os.path.join(SM, 'star98', 'star98.csv'))
    # Share of students above the national median in maths, from the school's characteristics.
    df['math_share'] = df['PR50M'] / df['MATHTOT']
    return df.drop(columns=['PR50M', 'MATHTOT'])


# name -> (loader, target, task)
SETS = {
    'digits': (digits, 'target', 'classification'),
    'wine': (lambda: sk_counted('wine_data.csv'), 'target', 'classification'),
    'breast_cancer': (lambda: sk_counted('breast_cancer.csv'), 'target', 'classification'),
    'iris': (lambda: sk_counted('iris.csv'), 'target', 'classification'),
    'seattle_weather': (seattle, 'weather', 'classification'),
    'penguins': (penguins, 'Species', 'classification'),
    'anes96': (anes96, 'vote', 'classification'),
    'fair': (fair, 'affair', 'classification'),
    'diabetes': (diabetes, 'progression', 'regression'),
    'cars': (cars, 'Miles_per_Gallon', 'regression'),
    'boston': (boston, 'MEDV', 'regression'),
    'star98': (star98, 'math_share', 'regression'),
}


def anchor_matrix(train, test, target, kind):
    """Feature matrices the way a scikit-learn user prepares them for `kind` of estimator."""
    xtr, xte = train.drop(columns=[target]).copy(), test.drop(columns=[target]).copy()
    for df in (xtr, xte):
        for c in df.columns:
            if df[c].dtype == object and c.lower() in ('date', 'year'):
                df[c] = pd.to_datetime(df[c]).astype('int64') / 86_400e9  # days, as a number
    cats = [c for c in xtr.columns if xtr[c].dtype == object]
    nums = [c for c in xtr.columns if c not in cats]
    if kind == 'hgb':  # native missing values; strings as ordinal codes
        enc = ColumnTransformer([('cat', OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=np.nan,
                                                        encoded_missing_value=np.nan), cats)], remainder='passthrough')
    elif kind == 'forest':
        enc = ColumnTransformer([('cat', make_pipeline(SimpleImputer(strategy='most_frequent'),
                                                       OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1)), cats),
                                 ('num', SimpleImputer(strategy='median'), nums)])
    else:  # linear models and networks: imputed, scaled, one-hot
        enc = ColumnTransformer([('cat', make_pipeline(SimpleImputer(strategy='most_frequent'),
                                                       OneHotEncoder(handle_unknown='ignore')), cats),
                                 ('num', make_pipeline(SimpleImputer(strategy='median'), StandardScaler()), nums)],
                                sparse_threshold=0)
    return enc.fit_transform(xtr), enc.transform(xte)


def anchors(task):
    if task == 'classification':
        return {'gbdt': ('hgb', HistGradientBoostingClassifier), 'random_forest': ('forest', RandomForestClassifier),
                'logistic': ('dense', LogisticRegression), 'mlp': ('dense', MLPClassifier)}
    return {'gbdt': ('hgb', HistGradientBoostingRegressor), 'random_forest': ('forest', RandomForestRegressor),
            'linear': ('dense', Ridge), 'mlp': ('dense', MLPRegressor)}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('out')
    ap.add_argument('--only', default='')
    a = ap.parse_args()
    only = [s for s in a.only.split(',') if s]
    warnings.filterwarnings('ignore')
    for name, (load, target, task) in SETS.items():
        if only and name not in only:
            continue
        df = load()
        df = df.dropna(subset=[target]).reset_index(drop=True)
        strat = df[target] if task == 'classification' else None
        train, test = train_test_split(df, test_size=0.3, random_state=0, stratify=strat)
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        train.to_csv(os.path.join(d, 'train.csv'), index=False)
        test.to_csv(os.path.join(d, 'test.csv'), index=False)
        metric = 'accuracy' if task == 'classification' else 'r2'
        with open(os.path.join(d, 'meta.json'), 'w') as f:
            # The test rows by position in the loaded set: test/pipeline/quality-floors.test.ts
            # rebuilds the same split from the committed fixtures.
            json.dump({'target': target, 'task': task, 'metric': metric, 'rows': len(df),
                       'test_index': sorted(int(i) for i in test.index)}, f)
        for family, (kind, cls) in anchors(task).items():
            xtr, xte = anchor_matrix(train, test, target, kind)
            t0 = time.perf_counter()
            model = cls(random_state=0) if 'random_state' in cls().get_params() else cls()
            model.fit(xtr, train[target])
            pred = model.predict(xte)
            score = accuracy_score(test[target], pred) if task == 'classification' else r2_score(test[target], pred)
            print(json.dumps({'set': name, 'rows': len(df), 'task': task, 'family': family, 'anchor': cls.__name__,
                              'metric': metric, 'value': round(float(score), 4), 'seconds': round(time.perf_counter() - t0, 3)}),
                  flush=True)


if __name__ == '__main__':
    sys.exit(main())
