"""Makes the target reference files (made-up data) and their expected values.

Run with Debian's python3 (numpy, scipy, gensim) and a scratch copy of rsatoolbox on sys.path:
    RSATOOLBOX_SRC=/tmp/rsatb/src RSATOOLBOX_STUBS=/tmp/rsatb/stubs /usr/bin/python3 make_reference.py
Writes into this folder: vectors.vec (word2vec text, written by gensim), the pair files in every supported layout,
subject RDM CSVs, and expected.json with the values of gensim's evaluate_word_pairs, scipy, and rsatoolbox's
compare / eval_fixed / boot_noise_ceiling.
"""
import json
import os
import sys

import numpy as np
import scipy
import scipy.stats
import gensim
from gensim.models import KeyedVectors

sys.path.insert(0, os.environ.get("RSATOOLBOX_STUBS", "/tmp/rsatb/stubs"))
sys.path.insert(0, os.environ.get("RSATOOLBOX_SRC", "/tmp/rsatb/src"))
import rsatoolbox  # noqa: E402
from rsatoolbox.rdm import RDMs, compare  # noqa: E402
from rsatoolbox.model import ModelFixed  # noqa: E402
from rsatoolbox.inference import eval_fixed, boot_noise_ceiling  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261206)

WORDS = ["tiger", "cat", "dog", "wolf", "lion", "horse", "cow", "sheep", "apple", "pear", "plum", "grape",
         "lemon", "car", "bus", "train", "truck", "bike", "boat", "ship", "plane", "chair", "table", "sofa",
         "bed", "desk", "lamp", "shelf", "rock", "river"]
DIMS = 10
# Three latent clusters plus noise, so the similarities have structure.
centres = rng.normal(size=(4, DIMS))
cluster = [0] * 8 + [1] * 5 + [2] * 8 + [3] * 7 + [0, 2]
vecs = np.array([centres[c] + 0.9 * rng.normal(size=DIMS) for c in cluster], dtype=np.float32)
kv = KeyedVectors(DIMS)
kv.add_vectors(WORDS, vecs)
vec_path = os.path.join(HERE, "vectors.vec")
kv.save_word2vec_format(vec_path, binary=False)

# The vectors exactly as a reader of the text file gets them: float32, then widened.
loaded = KeyedVectors.load_word2vec_format(vec_path, binary=False)
V = {w: loaded[w].astype(np.float64) for w in loaded.index_to_key}


def cos64(a, b):
    x, y = V[a], V[b]
    return float(np.dot(x, y) / (np.sqrt(np.dot(x, x)) * np.sqrt(np.dot(y, y))))


# ---- word pairs: some capitalised (found lower-cased), some with a missing word, a duplicate, a reversed pair,
# a word paired with itself; ratings on a 0.5 grid so that there are ties.
pairs = []
for _ in range(46):
    a, b = rng.choice(len(WORDS), 2, replace=False)
    pairs.append((WORDS[a], WORDS[b]))
pairs[3] = ("Tiger", pairs[3][1])
pairs[7] = (pairs[7][0], "CAR")
pairs += [("zebra", "horse"), ("cat", "unicorn"), ("Zebra", "Unicorn")]   # missing words
pairs.append(pairs[10])                                                   # duplicate
pairs.append((pairs[11][1], pairs[11][0]))                                # reversed
pairs.append(("lamp", "lamp"))                                            # a word with itself
ratings = []
for a, b in pairs:
    la, lb = a.lower(), b.lower()
    base = cos64(la, lb) if la in V and lb in V else rng.uniform(-0.5, 1)
    ratings.append(float(np.clip(np.round((5 + 4 * base + rng.normal(scale=1.2)) * 2) / 2, 0, 10)))


def fmt(x):
    return repr(float(x))


def write(name, text, newline="\n"):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        f.write(text.replace("\n", newline))


rows = list(zip(pairs, ratings))
write("pairs-generic.tsv", "".join(f"{a}\t{b}\t{fmt(s)}\n" for (a, b), s in rows))
write("pairs-header.tsv", "word1\tword2\tscore\n" + "".join(f"{a}\t{b}\t{fmt(s)}\n" for (a, b), s in rows))
write("pairs-crlf.tsv", "".join(f"{a}\t{b}\t{fmt(s)}\n" for (a, b), s in rows), newline="\r\n")
write("pairs-simlex.txt", "word1\tword2\tPOS\tSimLex999\tconc(w1)\tconc(w2)\tconcQ\tAssoc(USF)\tSimAssoc333\tSD(SimLex)\n" +
      "".join(f"{a}\t{b}\tN\t{fmt(s)}\t4.1\t3.9\t3\t0.5\t0\t1.2\n" for (a, b), s in rows))
write("pairs-simlex3.txt", "word1\tword2\tSimLex999\n" + "".join(f"{a}\t{b}\t{fmt(s)}\n" for (a, b), s in rows))
write("pairs-wordsim.csv", "Word 1,Word 2,Human (mean)\n" + "".join(f"{a},{b},{fmt(s)}\n" for (a, b), s in rows))
write("pairs-wordsim-tab.txt", "# Made-up ratings in the WordSim-353 tab layout\n# word1 word2 mean\n" +
      "".join(f"{a}\t{b}\t{fmt(s)}\n" for (a, b), s in rows))
write("pairs-men.txt", "".join(f"{a} {b} {fmt(s)}\n" for (a, b), s in rows))

# gensim: case-insensitive (upper-cases vocabulary and pairs; the vocabulary is all lower case, so this is the same
# as looking a word up as written and then lower-cased).
pearson, spearman, oov = loaded.evaluate_word_pairs(os.path.join(HERE, "pairs-generic.tsv"), case_insensitive=True)
used = [(a.lower(), b.lower(), s) for (a, b), s in rows if a.lower() in V and b.lower() in V]
model = np.array([cos64(a, b) for a, b, _ in used])
gold = np.array([s for _, _, s in used])


def rsa_compare(x, y, method):
    return float(compare(x.reshape(1, -1), y.reshape(1, -1), method=method)[0, 0])


expected = {
    "tools": {"numpy": np.__version__, "scipy": scipy.__version__, "gensim": gensim.__version__,
              "rsatoolbox": "github rsagroup/rsatoolbox v0.3.2-45-gf1f83cad (scratch copy)"},
    "pairs": {
        "pairs_total": len(rows), "pairs_used": len(used), "words_missing": sorted({"zebra", "unicorn"}),
        "gensim_pearson": float(pearson[0]), "gensim_spearman": float(spearman[0]), "gensim_oov_ratio": float(oov),
        "spearman": float(scipy.stats.spearmanr(model, gold)[0]),
        "pearson": float(scipy.stats.pearsonr(model, gold)[0]),
        "tau_a": rsa_compare(model, gold, "tau-a"),
        "rho_a": rsa_compare(model, gold, "rho-a"),
        "rsatoolbox_spearman": rsa_compare(model, gold, "spearman"),
        "rsatoolbox_corr": rsa_compare(model, gold, "corr"),
    },
}

# ---- subject RDMs over 12 words; the last word is missing from the vectors in the second target.
def subject_rdms(words, k, noise):
    out = []
    for _ in range(k):
        X = np.array([V[w] if w in V else rng.normal(size=DIMS) for w in words]) + noise * rng.normal(size=(len(words), DIMS))
        n = np.linalg.norm(X, axis=1)
        D = 1 - (X @ X.T) / np.outer(n, n)
        D = np.round(D, 6)
        np.fill_diagonal(D, 0)
        D = (D + D.T) / 2
        out.append(D)
    return out


def write_rdm(name, words, D, order):
    header = "," + ",".join(words[i] for i in order)
    lines = [header] + [words[i] + "," + ",".join(fmt(D[i, j]) for j in order) for i in order]
    write(name, "\n".join(lines) + "\n")


def condensed(D):
    n = D.shape[0]
    return np.array([D[i, j] for i in range(n) for j in range(i + 1, n)])


def model_rdm(words):
    n = len(words)
    return np.array([1 - cos64(words[i], words[j]) for i in range(n) for j in range(i + 1, n)])


methods = {"spearman": "spearman", "pearson": "corr", "kendall-tau-a": "tau-a", "rho-a": "rho-a"}
for name, words, k, missing in [("brain", ["tiger", "cat", "dog", "wolf", "apple", "pear", "plum", "car", "bus", "train", "chair", "sofa"], 5, None),
                                ("brainmissing", ["tiger", "cat", "dog", "lion", "apple", "grape", "lemon", "bike", "boat", "table", "lamp", "zebra"], 4, "zebra")]:
    Ds = subject_rdms(words, k, 0.8)
    for s, D in enumerate(Ds):
        order = rng.permutation(len(words))
        write_rdm(f"{name}-s{s + 1}.csv", words, D, order)
    data = RDMs(np.array([condensed(D) for D in Ds]), pattern_descriptors={"index": list(range(len(words)))})
    present = [i for i, w in enumerate(words) if w in V]
    sub = data.subset_pattern("index", present) if missing else data
    m = ModelFixed("model", model_rdm([words[i] for i in present]))
    res = {"words": words, "subjects": k, "pairs_total": len(words) * (len(words) - 1) // 2,
           "pairs_used": len(present) * (len(present) - 1) // 2, "missing": missing}
    for ours, theirs in methods.items():
        r = eval_fixed([m], sub, method=theirs)
        lo, hi = boot_noise_ceiling(data, method=theirs)
        per_subject = compare(m.predict_rdm(), sub, method=theirs)[0]
        one = compare(m.predict_rdm(), sub[0], method=theirs)[0, 0]
        res[ours] = {"eval_fixed": float(np.mean(r.evaluations)), "noise_ceiling": [float(lo), float(hi)],
                     "per_subject": [float(x) for x in per_subject], "subject1": float(one)}
    expected[name] = res

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
print(json.dumps(expected["pairs"], indent=1))
