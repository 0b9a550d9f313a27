"""Own numpy re-implementations of the peers' measures (platonic-rep dcd76ba3 metrics.py, ReSi/repsim 24ab9e50,
netrep 0186b8a7, Kornblith Demo.ipynb google-research 10bf941a), written from reading their code.
kNN: self excluded, exact ties -> lower item index (Simile's documented convention; the peers' argsort/topk/sklearn
orders for exact ties are implementation-defined)."""
import numpy as np
import scipy.linalg, scipy.optimize, scipy.stats
from scipy.spatial.distance import pdist, squareform

# ---------------------------------------------------------------- neighbours
def _dedup_scores(S, X):
    """Force bit-identical rows of X to give bit-identical score columns/rows (BLAS may round them differently)."""
    _, first, inv = np.unique(X, axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    rep = first[inv]
    if np.all(rep == np.arange(len(rep))):
        return S
    S = S[:, rep]           # column j <- column of its first copy
    S = S[rep, :]
    return S

def knn_lists(S, k):
    """S: n x n scores (larger = nearer). Self excluded; descending; exact ties to the lower index (stable sort)."""
    S = S.copy()
    np.fill_diagonal(S, -np.inf)
    order = np.argsort(-S, axis=1, kind='stable')
    return order[:, :k]

def ip_knn(X, k):
    S = _dedup_scores(X @ X.T, X)
    return knn_lists(S, k), S

def unit_rows(X):
    nrm = np.linalg.norm(X, axis=1, keepdims=True)
    nrm[nrm == 0] = 1.0           # sklearn normalize: zero rows stay zero
    return X / nrm

def cos_knn(X, k):
    U = unit_rows(X)
    S = _dedup_scores(U @ U.T, X)
    return knn_lists(S, k), U

# ---------------------------------------------------------------- platonic-rep
def mutual_knn(X, Y, k):
    a, _ = ip_knn(X, k); b, _ = ip_knn(Y, k)
    return np.mean([len(set(a[i]) & set(b[i])) / k for i in range(len(a))])

def cycle_knn(X, Y, k):
    a, _ = ip_knn(X, k); b, _ = ip_knn(Y, k)
    n = len(a)
    return np.mean([float(any(i in a[j] for j in b[i])) for i in range(n)])

def _lcs(x, y):
    m, n = len(x), len(y)
    dp = [[0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            dp[i][j] = dp[i-1][j-1] + 1 if x[i-1] == y[j-1] else max(dp[i-1][j], dp[i][j-1])
    return dp[m][n]

def _lev(x, y):
    m, n = len(x), len(y)
    prev = list(range(n + 1))
    for i in range(1, m + 1):
        cur = [i] + [0] * n
        for j in range(1, n + 1):
            cur[j] = min(prev[j] + 1, cur[j-1] + 1, prev[j-1] + (0 if x[i-1] == y[j-1] else 1))
        prev = cur
    return prev[n]

def lcs_knn(X, Y, k):
    a, _ = ip_knn(X, k); b, _ = ip_knn(Y, k)
    return np.mean([_lcs(list(a[i]), list(b[i])) for i in range(len(a))])

def edit_distance_knn(X, Y, k):
    a, _ = ip_knn(X, k); b, _ = ip_knn(Y, k)
    return 1 - np.mean([_lev(list(a[i]), list(b[i])) for i in range(len(a))]) / k

def hsic_unbiased(K, L):
    m = K.shape[0]
    Kt = K.copy(); np.fill_diagonal(Kt, 0)
    Lt = L.copy(); np.fill_diagonal(Lt, 0)
    v = np.sum(Kt * Lt.T) + np.sum(Kt) * np.sum(Lt) / ((m - 1) * (m - 2)) - 2 * np.sum(Kt @ Lt) / (m - 2)
    return v / (m * (m - 3))

def cknna(X, Y, k):
    n = X.shape[0]
    K = _dedup_scores(X @ X.T, X); L = _dedup_scores(Y @ Y.T, Y)
    def mask_of(P):
        idx = knn_lists(P, k)
        M = np.zeros((n, n)); M[np.arange(n)[:, None], idx] = 1.0
        return M
    MK, ML = mask_of(K), mask_of(L)
    def sim(P, Q, MP, MQ):
        M = MP * MQ
        return hsic_unbiased(M * P, M * Q)
    kl = sim(K, L, MK, ML); kk = sim(K, K, MK, MK); ll = sim(L, L, ML, ML)
    return kl / (np.sqrt(kk * ll) + 1e-6)

# ---------------------------------------------------------------- ReSi kNN
def jaccard_knn(X, Y, k):
    a, _ = cos_knn(X, k); b, _ = cos_knn(Y, k)
    return float(np.mean([len(set(a[i]) & set(b[i])) / len(set(a[i]) | set(b[i])) for i in range(len(a))]))

def _rank_sim_i(joint, ra, rb):
    if not joint: return 0.0
    norm = sum(1 / r for r in range(1, len(joint) + 1))
    s = 0.0
    for j in joint:
        pa = int(np.argwhere(ra == j)[0][0]) + 1; pb = int(np.argwhere(rb == j)[0][0]) + 1
        s += 2 / ((1 + abs(pa - pb)) * (pa + pb))
    return s / norm

def rank_similarity(X, Y, k):
    a, _ = cos_knn(X, k); b, _ = cos_knn(Y, k)
    return float(np.mean([_rank_sim_i(list(set(a[i]) & set(b[i])), a[i], b[i]) for i in range(len(a))]))

def _cosine_distances(X):
    U = unit_rows(X)
    S = 1 - U @ U.T
    S = np.clip(S, 0, 2)
    np.fill_diagonal(S, 0)
    return S

def second_order_cosine(X, Y, k):
    a, _ = cos_knn(X, k); b, _ = cos_knn(Y, k)
    DX, DY = _cosine_distances(X), _cosine_distances(Y)
    vals = []
    for i in range(len(a)):
        u = sorted(set(a[i]) | set(b[i]))
        p, q = DX[i, u], DY[i, u]
        vals.append(np.dot(p, q) / (np.linalg.norm(p) * np.linalg.norm(q)))   # 1 - scipy cosine distance
    return float(np.mean(vals))

# ---------------------------------------------------------------- Kornblith
def gram_rbf(x, threshold):
    dp = x @ x.T
    sq = np.diag(dp)
    sqd = -2 * dp + sq[:, None] + sq[None, :]
    med = np.median(sqd)
    return np.exp(-sqd / (2 * threshold ** 2 * med))

def center_gram(g, unbiased):
    g = g.copy()
    if unbiased:
        n = g.shape[0]
        np.fill_diagonal(g, 0)
        means = np.sum(g, 0, dtype=np.float64) / (n - 2)
        means -= np.sum(means) / (2 * (n - 1))
        g -= means[:, None]; g -= means[None, :]
        np.fill_diagonal(g, 0)
    else:
        means = np.mean(g, 0, dtype=np.float64)
        means -= np.mean(means) / 2
        g -= means[:, None]; g -= means[None, :]
    return g

def cka_gram(gx, gy, debiased):
    gx = center_gram(gx, debiased); gy = center_gram(gy, debiased)
    return gx.ravel().dot(gy.ravel()) / (np.linalg.norm(gx) * np.linalg.norm(gy))

def cka_rbf(X, Y, t=0.5): return cka_gram(gram_rbf(X, t), gram_rbf(Y, t), False)
def cka_rbf_debiased(X, Y, t=0.5): return cka_gram(gram_rbf(X, t), gram_rbf(Y, t), True)

def cka_linear(X, Y):
    X = X - X.mean(0); Y = Y - Y.mean(0)
    return np.linalg.norm(X.T @ Y) ** 2 / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y))

def cca_r2(X, Y):
    qx, _ = np.linalg.qr(X); qy, _ = np.linalg.qr(Y)
    return np.linalg.norm(qx.T @ qy) ** 2 / min(X.shape[1], Y.shape[1])

# ---------------------------------------------------------------- google svcca cca_core (as copied in ReSi)
def _pd_sqrt(a):
    w, v = np.linalg.eigh(a)
    return v @ np.diag(np.sqrt(w)) @ np.conj(v).T

def get_cca(acts1, acts2, epsilon=0.0):
    numx, numy = acts1.shape[0], acts2.shape[0]
    cov = np.cov(acts1, acts2)
    sxx = cov[:numx, :numx]; sxy = cov[:numx, numx:]; syy = cov[numx:, numx:]
    xmax = np.max(np.abs(sxx)); ymax = np.max(np.abs(syy))
    sxx = sxx / xmax; syy = syy / ymax; sxy = sxy / np.sqrt(xmax * ymax)
    xi = np.abs(np.diagonal(sxx)) >= epsilon; yi = np.abs(np.diagonal(syy)) >= epsilon
    sxx = sxx[xi][:, xi]; sxy = sxy[xi][:, yi]; syy = syy[yi][:, yi]
    sxx = sxx + epsilon * np.eye(sxx.shape[0]); syy = syy + epsilon * np.eye(syy.shape[0])
    ix = _pd_sqrt(np.linalg.pinv(sxx)); iy = _pd_sqrt(np.linalg.pinv(syy))
    arr = ix @ sxy @ iy
    u, s, v = np.linalg.svd(arr)
    return u, np.abs(s), v, xi, yi

def svcca_intended(X, Y, frac=0.99, epsilon=1e-10):
    """ReSi _svcca_original with the threshold fixed (cumulative FRACTION >= 0.99)."""
    def pcs(acts):
        c = acts - acts.mean(1, keepdims=True)
        U, s, V = np.linalg.svd(c, full_matrices=False)
        ev = s ** 2 / np.sum(s ** 2)
        k = int(np.argmax(np.cumsum(ev) >= frac)) + 1
        return np.dot(s[:k] * np.eye(k), V[:k])
    a, b = pcs(X.T), pcs(Y.T)
    _, s, _, _, _ = get_cca(a, b, epsilon)
    return float(np.mean(s))

def svcca_resi_bug(X, Y):
    def pcs(acts):
        c = acts - acts.mean(1, keepdims=True)
        U, s, V = np.linalg.svd(c, full_matrices=False)
        tot = np.sum(s ** 2)
        k = int(np.argmax(np.cumsum(s ** 2 / tot) >= 0.99 * tot)) + 1
        return np.dot(s[:k] * np.eye(k), V[:k])
    a, b = pcs(X.T), pcs(Y.T)
    _, s, _, _, _ = get_cca(a, b, 1e-10)
    return float(np.mean(s))

def pwcca(X, Y):
    acts1, acts2 = X.T, Y.T
    assert acts1.shape[0] < acts1.shape[1]
    u, s, v, xi, yi = get_cca(acts1, acts2, 0.0)
    m1 = acts1.mean(1, keepdims=True)
    if np.sum(xi) <= np.sum(yi):
        dirns = u.T @ (acts1[xi] - m1[xi]) + m1[xi]
        acts, idxs = acts1, xi
    else:
        raise IndexError("peer fails when X is wider than Y")
    P, _ = np.linalg.qr(dirns.T)
    w = np.sum(np.abs(P.T @ acts[idxs].T), axis=1)
    w = w / np.sum(w)
    return float(np.sum(w * s))

# ---------------------------------------------------------------- netrep
def _pad(X, Y):
    d = max(X.shape[1], Y.shape[1])
    px = np.zeros((X.shape[0], d)); px[:, :X.shape[1]] = X
    py = np.zeros((Y.shape[0], d)); py[:, :Y.shape[1]] = Y
    return px, py

def _whiten(X, alpha, tol=1e-7):
    if alpha > 1 - tol: return X
    lam, V = np.linalg.eigh(X.T @ X)
    lam = np.maximum(lam, tol)
    d = alpha + (1 - alpha) * lam ** (-0.5)
    nv = np.sum(alpha ** 2 * lam + 2 * alpha * (1 - alpha) * lam ** 0.5 + (1 - alpha) ** 2)
    d *= np.sqrt(np.sum(lam) / nv)
    return X @ ((V * d[None, :]) @ V.T)

def _score(tX, tY, score):
    if score == 'angular':
        c = np.dot(tX.ravel(), tY.ravel()) / (np.linalg.norm(tX.ravel()) * np.linalg.norm(tY.ravel()))
        return float(np.arccos(np.clip(c, -1, 1)))
    return float(np.linalg.norm(tX - tY))

def shape_metric(X, Y, alpha=1.0, score='angular'):
    X, Y = _pad(X, Y)
    Xw = _whiten(X - X.mean(0), alpha); Yw = _whiten(Y - Y.mean(0), alpha)
    U, _, Vt = np.linalg.svd(Xw.T @ Yw)
    return _score(Xw @ U, Yw @ Vt.T, score)

def permutation_metric(X, Y, score='angular'):
    X, Y = _pad(X, Y)
    X = X - X.mean(0); Y = Y - Y.mean(0)
    r, c = scipy.optimize.linear_sum_assignment(X.T @ Y, maximize=True)
    return _score(X[:, r], Y[:, c], score)

# ---------------------------------------------------------------- ReSi others
def _euclid(X):
    sq = np.einsum('ij,ij->i', X, X)
    D = -2 * X @ X.T + sq[:, None] + sq[None, :]
    np.maximum(D, 0, out=D)
    np.fill_diagonal(D, 0)
    return np.sqrt(D)

def rsm_norm_difference(X, Y):
    return float(np.linalg.norm(_euclid(X) - _euclid(Y), ord=2))

def aligned_cosine(X, Y):
    X, Y = _pad(X, Y)
    Q, _ = scipy.linalg.orthogonal_procrustes(X, Y)
    XA = X @ Q
    s, bad = 0.0, 0
    for r, rp in zip(XA, Y):
        if not np.any(r) or not np.any(rp): bad += 1
        else: s += r.dot(rp) / (np.linalg.norm(r) * np.linalg.norm(rp))
    return s / (X.shape[0] - bad)

def _corr_matrix(X, Y):
    X = X - X.mean(0); Y = Y - Y.mean(0)
    A = unit_rows(X.T); B = unit_rows(Y.T)
    return 1 - np.clip(1 - A @ B.T, 0, 2)

def hard_correlation_match(X, Y):
    C = _corr_matrix(X, Y)
    r, c = scipy.optimize.linear_sum_assignment(C, maximize=True)
    return float(C[r, c].mean())

def soft_correlation_match(X, Y):
    C = _corr_matrix(X, Y)
    return float((C.max(1).mean() + C.max(0).mean()) / 2)

def linear_regression(X, Y):
    X = X - X.mean(0); Y = Y - Y.mean(0)
    Q = Y @ scipy.linalg.inv(scipy.linalg.sqrtm(Y.T @ Y))
    return float(np.linalg.norm(Q.T @ X) ** 2 / np.linalg.norm(X) ** 2)

def distance_correlation(X, Y):
    def dc(D): return D - D.mean(0, keepdims=True) - D.mean(1, keepdims=True) + D.mean()
    S, T = dc(_euclid(X)), dc(_euclid(Y))
    return float(np.sqrt((S * T).mean() / np.sqrt((S * S).mean() * (T * T).mean())))

def eigenspace_overlap(X, Y):
    u, _, _ = np.linalg.svd(X); v, _, _ = np.linalg.svd(Y)
    u = u[:, :np.linalg.matrix_rank(X)]; v = v[:, :np.linalg.matrix_rank(Y)]
    return float(np.linalg.norm(u.T @ v) ** 2 / max(X.shape[1], Y.shape[1]))

def magnitude_difference(X, Y):
    return abs(float(np.linalg.norm(X.mean(0)) - np.linalg.norm(Y.mean(0))))

def _concentricity(X):
    m = X.mean(0, keepdims=True)
    U = unit_rows(X); M = unit_rows(m)
    return 1 - np.clip(1 - U @ M.T, 0, 2)

def concentricity_difference(X, Y):
    return float(abs(_concentricity(X).mean() - _concentricity(Y).mean()))

def uniformity_difference(X, Y):
    def u(x):
        sq = np.einsum('ij,ij->i', x, x)
        D = -2 * x @ x.T + sq[:, None] + sq[None, :]
        np.maximum(D, 0, out=D); np.fill_diagonal(D, 0)
        return np.log(np.exp(-2 * D).sum() / x.shape[0] ** 2)
    return float(abs(u(X) - u(Y)))

def gulp(X, Y, lmbda=0):
    n = X.shape[0]
    A = X.T - X.T.mean(1, keepdims=True); A = np.sqrt(n) * A / np.linalg.norm(A)
    B = Y.T - Y.T.mean(1, keepdims=True); B = np.sqrt(n) * B / np.linalg.norm(B)
    k, _ = A.shape; l, _ = B.shape
    assert k <= n and l <= n
    ea, va = np.linalg.eigh(A @ A.T); eb, vb = np.linalg.eigh(B @ B.T)
    ea = (ea + np.abs(ea)) / (2 * n); eb = (eb + np.abs(eb)) / (2 * n)
    ia = np.array([1 / x if x > 0 else 0 for x in ea]); ib = np.array([1 / x if x > 0 else 0 for x in eb])
    T1 = np.sum(np.square(ea * ia)); T2 = np.sum(np.square(eb * ib))
    C = A @ B.T / n
    T3 = np.trace((np.diag(np.sqrt(ia)) @ va.T) @ C @ (vb @ np.diag(ib) @ vb.T) @ C.T @ (va @ np.diag(np.sqrt(ia))))
    return float(T1 + T2 - 2 * T3)

def procrustes_angular(X, Y):   # Williams angular (centred) = netrep alpha=1 angular
    return shape_metric(X, Y, 1.0, 'angular')

KNN = ['mutual_knn', 'cycle_knn', 'lcs_knn', 'edit_distance_knn', 'cknna', 'jaccard_knn', 'rank_similarity', 'second_order_cosine']
ALL = KNN + ['cka_rbf', 'cka_rbf_debiased', 'cca_r2', 'svcca', 'pwcca', 'shape_metric', 'permutation_metric',
             'rsm_norm_difference', 'aligned_cosine', 'hard_correlation_match', 'soft_correlation_match', 'linear_regression',
             'distance_correlation', 'eigenspace_overlap', 'magnitude_difference', 'concentricity_difference',
             'uniformity_difference', 'gulp']

def compute(name, X, Y, k=10, alpha=1.0, score='angular', t=0.5):
    f = globals()
    if name in KNN: return float(f[name](X, Y, k))
    if name in ('cka_rbf', 'cka_rbf_debiased'): return float(f[name](X, Y, t))
    if name == 'svcca': return svcca_intended(X, Y)
    if name == 'shape_metric': return shape_metric(X, Y, alpha, score)
    if name == 'permutation_metric': return permutation_metric(X, Y, score)
    return float(f[name](X, Y))
