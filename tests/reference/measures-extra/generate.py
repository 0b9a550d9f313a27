"""Regenerates the inputs and expected.json of tests/reference/measures-extra from peers_numpy.py (own numpy
re-implementations of the peers' code; see README.md). Run with numpy 1.24 / scipy 1.10:  python3 generate.py
Token-embedding inputs (x4, x5) are rows of `simile vectors --layer token` for the words listed in the JSON."""
import json, os, sys, warnings
import numpy as np
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import peers_numpy as P
warnings.simplefilter('ignore')

def variants(name):
    keys = [name]
    if name in P.KNN:
        keys += [f'{name}[k=3]'] + ([] if name == 'cknna' else [f'{name}[k=1]'])
    if name in ('cka_rbf', 'cka_rbf_debiased'): keys.append(f'{name}[rbf-threshold=1.0]')
    if name == 'shape_metric':
        keys += ['shape_metric[alpha=0.0]', 'shape_metric[alpha=0.5]', 'shape_metric[score=euclidean]',
                 'shape_metric[alpha=0.0,score=euclidean]', 'shape_metric[alpha=0.5,score=euclidean]']
    if name == 'permutation_metric': keys.append('permutation_metric[score=euclidean]')
    return keys

def parse(key):
    kw = dict(k=10, alpha=1.0, score='angular', t=0.5)
    if '[' in key:
        name, opts = key[:-1].split('[')
        for o in opts.split(','):
            a, b = o.split('=')
            kw[{'k': 'k', 'alpha': 'alpha', 'score': 'score', 'rbf-threshold': 't'}[a]] = int(b) if a == 'k' else (b if a == 'score' else float(b))
        return name, kw
    return key, kw

def case(X, Y, skip=()):
    values, undefined = {}, {}
    for name in P.ALL:
        for key in variants(name):
            n, kw = parse(key)
            if n in skip:
                continue
            try:
                v = P.compute(n, X, Y, **kw)
                if not np.isfinite(v): raise FloatingPointError('NaN')
                values[key] = v
            except Exception as e:
                undefined[key] = ('NaN (0/0) in the peer code' if isinstance(e, FloatingPointError) else f'{type(e).__name__} in the peer code')
    return values, undefined

rng = np.random.default_rng(14)
cases = {}
def save(name, X, Y, dtype='<f8'):
    np.save(os.path.join(here, f'{name}_X.npy'), X.astype(dtype)); np.save(os.path.join(here, f'{name}_Y.npy'), Y.astype(dtype))
    return np.load(os.path.join(here, f'{name}_X.npy')).astype(np.float64), np.load(os.path.join(here, f'{name}_Y.npy')).astype(np.float64)

# x1: unrelated representations of different widths
X, Y = save('x1', rng.standard_normal((80, 16)), rng.standard_normal((80, 8)))
cases['x1'] = dict(what='unrelated: X 80x16, Y 80x8 independent N(0,1)', skip=['pwcca'])
# x2: duplicated rows (exact copies: kNN ties) vs a noisy linear map (no duplicates in Y)
U = rng.standard_normal((60, 12)); idx = np.concatenate([np.arange(60), rng.integers(0, 60, 30)]); rng.shuffle(idx)
Xd = U[idx]
X, Y = save('x2', Xd, Xd @ rng.standard_normal((12, 10)) + 0.3 * rng.standard_normal((90, 10)))
cases['x2'] = dict(what='X 90x12 = 60 distinct rows + 30 exact copies (shuffled); Y = X W + 0.3 noise (90x10)', skip=['pwcca'])
# x3: duplicates on both sides (Y made before duplication)
Yu = U @ rng.standard_normal((12, 10)) + 0.3 * rng.standard_normal((60, 10))
X, Y = save('x3', Xd, Yu[idx])
cases['x3'] = dict(what='same X as x2; Y = (U W + noise)[idx]: the same rows duplicated on both sides', skip=['pwcca'])
# x4: n < d
X, Y = save('x4', rng.standard_normal((30, 50)), rng.standard_normal((30, 40)))
cases['x4'] = dict(what='n < d: X 30x50, Y 30x40 independent', skip=[])
# x5: real token embeddings, minilm vs arctic-xs (first 50 of the words), n < d
tok = lambda m, n: np.load(os.path.join(os.environ.get('QA_TOKENS', '/work/qa-scratch'), f'tok_{m}.npy'))[0, :n].astype(np.float64)
X, Y = save('x5', tok('minilm', 50), tok('arctic-xs', 50), '<f4')
cases['x5'] = dict(what='token embeddings (simile vectors --layer token) of the first 50 words of words.tsv: minilm (50x384) vs arctic-xs (50x384)', skip=[])
# x6: real token embeddings, glove-100d (n > d) vs minilm, 120 words
X, Y = save('x6', tok('glove-100d', 120), tok('minilm', 120), '<f4')
cases['x6'] = dict(what='token embeddings of the first 120 words: glove-100d (120x100) vs minilm (120x384)', skip=[])

# x7: an all-zero row (sklearn cosine leaves it at 0); x8: a constant feature (correlation 0; an exactly-zero eigenvalue)
B = rng.standard_normal((60, 10)); C = B @ rng.standard_normal((10, 8)) + 0.5 * rng.standard_normal((60, 8))
Bz = B.copy(); Bz[7] = 0
X, Y = save('x7', Bz, C)
cases['x7'] = dict(what='X 60x10 with row 8 all zero; Y = X W + 0.5 noise (60x8)', skip=[])
Bc = B.copy(); Bc[:, 3] = 2.5
X, Y = save('x8', Bc, C)
cases['x8'] = dict(what='X 60x10 with feature 4 constant (2.5); Y as x7', skip=['gulp'], exact=['gulp'])

def exact_gulp(X, Y):
    """GULP (lambda = 0) in exact-arithmetic form: rank(Xc) + rank(Yc) - 2 * sum of squared canonical correlations,
    from SVDs (numpy matrix_rank tolerance). Equal to the peer's T1 + T2 - 2 T3 when no eigenvalue is at rounding level."""
    Ux, sx, _ = np.linalg.svd(X - X.mean(0), full_matrices=False); Uy, sy, _ = np.linalg.svd(Y - Y.mean(0), full_matrices=False)
    rx = int((sx > sx[0] * max(X.shape) * np.finfo(float).eps).sum()); ry = int((sy > sy[0] * max(Y.shape) * np.finfo(float).eps).sum())
    return float(rx + ry - 2 * np.linalg.norm(Ux[:, :rx].T @ Uy[:, :ry]) ** 2)

out = {'tolerance': 'rel 1e-6 for the platonic kNN scores, rel 1e-7 otherwise, abs 2e-6 where |value| < 1e-9 (as tests/reference/measures)',
       'cases': {}}
for name, meta in cases.items():
    X = np.load(os.path.join(here, f'{name}_X.npy')).astype(np.float64); Y = np.load(os.path.join(here, f'{name}_Y.npy')).astype(np.float64)
    values, undefined = case(X, Y, skip=meta['skip'])
    reasons = {'pwcca': 'sign-dependent in the peer (LAPACK singular-vector signs); see README'}
    if 'gulp' in meta['skip']:
        reasons['gulp'] = f'the peer inverts an exactly-zero eigenvalue when LAPACK rounds it above 0 (here it gives {P.gulp(X, Y)!r}, one rank more); see README'
    out['cases'][name] = {'what': meta['what'], 'values': values, 'undefined': undefined,
                          'not_compared': {k: reasons[k] for k in meta['skip']},
                          'exact': {k: exact_gulp(X, Y) for k in meta.get('exact', [])}}
json.dump(out, open(os.path.join(here, 'expected.json'), 'w'), indent=1)
print('wrote', sum(len(c['values']) for c in out['cases'].values()), 'values')
