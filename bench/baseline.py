#!/usr/bin/env python3
"""numpy/scipy baseline for Simile's benchmark cases (bench/Simile.Bench).

Usage: baseline.py CASE DATA_DIR   -- prints one JSON line with wall_s, cpu_s, peak_mb and the values.
The inputs are the float32 .npy files the C# benchmark writes (same seeded data). Run by the benchmark with
OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE removed from the environment and OPENBLAS_NUM_THREADS = cores.
"""
import json
import os
import resource
import sys
import time

import numpy as np
from scipy.spatial.distance import pdist
from scipy.stats import kendalltau, pearsonr, rankdata, spearmanr


def load(data, name):
    return np.load(os.path.join(data, name + ".npy")).astype(np.float64)


def tie_pairs(v):
    _, counts = np.unique(v, return_counts=True)
    counts = counts.astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def condensed_permutation_index(n, perm, i, j):
    a, b = perm[i], perm[j]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return n * lo - lo * (lo + 1) // 2 + (hi - lo - 1)


def linear_cka(x, y):
    xc, yc = x - x.mean(0), y - y.mean(0)
    return np.linalg.norm(yc.T @ xc) ** 2 / (np.linalg.norm(xc.T @ xc) * np.linalg.norm(yc.T @ yc))


def debiased_cka(x, y):
    n = x.shape[0]
    xc, yc = x - x.mean(0), y - y.mean(0)

    def hsic(k, l):
        k, l = k.copy(), l.copy()
        np.fill_diagonal(k, 0)
        np.fill_diagonal(l, 0)
        return (np.sum(k * l) + k.sum() * l.sum() / ((n - 1) * (n - 2)) - 2 / (n - 2) * (k.sum(0) @ l.sum(0))) / (n * (n - 3))

    k, l = xc @ xc.T, yc @ yc.T
    return hsic(k, l) / np.sqrt(hsic(k, k) * hsic(l, l))


def main():
    case, data = sys.argv[1], sys.argv[2]
    out = {"case": case}
    if case == "rdm":
        x = load(data, "a5k")
        w0, c0 = time.perf_counter(), time.process_time()
        t = time.perf_counter()
        cos = pdist(x, "cosine")
        out["cosine_s"] = time.perf_counter() - t
        t = time.perf_counter()
        cor = pdist(x, "correlation")
        out["correlation_s"] = time.perf_counter() - t
        out["checksum"] = float(cos[12345] + cor[54321])
    elif case == "spearman-rdm":
        ra = pdist(load(data, "a5k"), "cosine")
        rb = pdist(load(data, "b5k"), "cosine")
        w0, c0 = time.perf_counter(), time.process_time()
        out["spearman"] = float(spearmanr(ra, rb)[0])
    elif case == "pearson-20k":
        a, b = load(data, "a20k"), load(data, "b20k")
        w0, c0 = time.perf_counter(), time.process_time()
        sx = 1 - pdist(a, "cosine")
        sy = 1 - pdist(b, "cosine")
        out["pearson"] = float(pearsonr(sx, sy)[0])
    elif case == "spearman-20k":
        a, b = load(data, "a20k"), load(data, "b20k")
        w0, c0 = time.perf_counter(), time.process_time()
        ra = pdist(a, "cosine")
        rb = pdist(b, "cosine")
        out["spearman"] = float(spearmanr(ra, rb)[0])
    elif case == "rank-5k":
        a, b = load(data, "a5k"), load(data, "b5k100")
        w0, c0 = time.perf_counter(), time.process_time()
        ra = pdist(a, "cosine")
        rb = pdist(b, "cosine")
        t = time.perf_counter()
        out["spearman"] = float(spearmanr(ra, rb)[0])
        out["spearman_s"] = time.perf_counter() - w0
        out["kendall_tau_b"] = float(kendalltau(ra, rb)[0])
    elif case == "gemm":
        w0, c0 = time.perf_counter(), time.process_time()
        rng = np.random.default_rng(3)
        for m, n, k in [(1024, 1024, 1024), (384, 384, 20000), (2048, 2048, 384)]:
            for dt, label in [(np.float32, "float"), (np.float64, "double")]:
                a = rng.random((m, k)).astype(dt)
                b = rng.random((k, n)).astype(dt)
                a @ b
                reps, t = 0, time.perf_counter()
                while time.perf_counter() - t < 1.5 or reps < 2:
                    a @ b
                    reps += 1
                out[f"{label}_{m}x{n}x{k}_gflops"] = round(2.0 * m * n * k * reps / (time.perf_counter() - t) / 1e9, 1)
    elif case == "compare":
        a, b = load(data, "a5k"), load(data, "b5k")
        w0, c0 = time.perf_counter(), time.process_time()
        ra = pdist(a, "cosine")
        rb = pdist(b, "cosine")
        m = ra.size
        out["pearson"] = float(pearsonr(ra, rb)[0])
        out["spearman"] = float(spearmanr(ra, rb)[0])
        tau_b = float(kendalltau(ra, rb)[0])
        out["kendall_tau_b"] = tau_b
        tot = m * (m - 1) // 2
        xt, yt = tie_pairs(ra), tie_pairs(rb)
        out["tau_a"] = tau_b * np.sqrt(float(tot - xt)) * np.sqrt(float(tot - yt)) / tot
        r1, r2 = rankdata(ra), rankdata(rb)
        c = (m + 1) / 2
        out["rho_a"] = float(12 * np.dot(r1 - c, r2 - c) / (float(m) ** 3 - m))
        out["cosine"] = float(ra @ rb / np.sqrt((ra @ ra) * (rb @ rb)))
        # Mantel permutations of Pearson, the explicit way; timed on a sample and extrapolated to 1,000.
        n = a.shape[0]
        i, j = np.triu_indices(n, 1)
        za = (ra - ra.mean()) / ra.std()
        rng = np.random.default_rng(1)
        sample = 20
        t, tc = time.perf_counter(), time.process_time()
        at_least = 0
        for _ in range(sample):
            perm = rng.permutation(n)
            rp = rb[condensed_permutation_index(n, perm, i, j)]
            r = float(za @ ((rp - rp.mean()) / rp.std()) / m)
            at_least += r >= out["pearson"]
        per = (time.perf_counter() - t) / sample
        per_cpu = (time.process_time() - tc) / sample
        out["permutation_s_each"] = per
        out["permutations_extrapolated_s"] = per * 1000
        out["linear_cka"] = float(linear_cka(a, b))
        out["debiased_cka"] = float(debiased_cka(a, b))
        wall_measured = time.perf_counter() - w0
        cpu_measured = time.process_time() - c0
        # Add the 980 permutations not run, at the measured per-permutation cost (wall and cpu alike).
        out["wall_s"] = wall_measured + per * (1000 - sample)
        out["cpu_s"] = cpu_measured + per_cpu * (1000 - sample)
        out["note"] = f"{sample} permutations run, wall and cpu extrapolated to 1000"
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
        print(json.dumps(out))
        return
    elif case in ("cli-pearson-20k",):
        a, b = load(data, "a20k"), load(data, "b20k")
        w0, c0 = time.perf_counter(), time.process_time()
        out["rsa.pearson"] = float(pearsonr(pdist(a, "cosine"), pdist(b, "cosine"))[0])
    elif case == "cli-spearman-5k":
        a, b = load(data, "a5k"), load(data, "b5k100")
        w0, c0 = time.perf_counter(), time.process_time()
        out["rsa.spearman"] = float(spearmanr(pdist(a, "cosine"), pdist(b, "cosine"))[0])
    elif case == "cli-kendall-5k":
        a, b = load(data, "a5k"), load(data, "b5k100")
        w0, c0 = time.perf_counter(), time.process_time()
        ra, rb = pdist(a, "cosine"), pdist(b, "cosine")
        t = time.perf_counter()
        out["rsa.kendall_tau_b"] = float(kendalltau(ra, rb)[0])
        out["kendalltau_s"] = time.perf_counter() - t
    elif case == "cli-all-5k":
        # Everything `simile compare` reports by default (direct correlation is skipped: the widths differ).
        a, b = load(data, "a5k"), load(data, "b5k100")
        w0, c0 = time.perf_counter(), time.process_time()
        ra, rb = pdist(a, "cosine"), pdist(b, "cosine")
        m = ra.size
        out["rsa.pearson"] = float(pearsonr(ra, rb)[0])
        out["rsa.spearman"] = float(spearmanr(ra, rb)[0])
        tau_b = float(kendalltau(ra, rb)[0])
        out["rsa.kendall_tau_b"] = tau_b
        tot = m * (m - 1) // 2
        xt, yt = tie_pairs(ra), tie_pairs(rb)
        out["rsa.tau_a"] = tau_b * np.sqrt(float(tot - xt)) * np.sqrt(float(tot - yt)) / tot
        r1, r2 = rankdata(ra), rankdata(rb)
        c = (m + 1) / 2
        out["rsa.rho_a"] = float(12 * np.dot(r1 - c, r2 - c) / (float(m) ** 3 - m))
        out["rsa.cosine"] = float(ra @ rb / np.sqrt((ra @ ra) * (rb @ rb)))
        out["cka.linear"] = float(linear_cka(a, b))
        out["cka.linear_debiased"] = float(debiased_cka(a, b))
        xc, yc = a - a.mean(0), b - b.mean(0)
        nuc = np.linalg.svd(xc.T @ yc, compute_uv=False).sum()
        out["procrustes.angular"] = float(np.arccos(np.clip(nuc / (np.linalg.norm(xc) * np.linalg.norm(yc)), -1, 1)))
    elif case == "cli-rdm-30k":
        from scipy.spatial.distance import squareform
        a = load(data, "a30k")
        w0, c0 = time.perf_counter(), time.process_time()
        np.save(os.path.join(data, "out", "rdm-30k-numpy.npy"), squareform(pdist(a, "cosine")).astype(np.float32))
        os.remove(os.path.join(data, "out", "rdm-30k-numpy.npy"))
    else:
        print(f"unknown case {case}", file=sys.stderr)
        sys.exit(2)
    out["wall_s"] = time.perf_counter() - w0
    out["cpu_s"] = time.process_time() - c0
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
    print(json.dumps(out))


if __name__ == "__main__":
    main()
