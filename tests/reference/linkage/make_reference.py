"""Reference values for AverageLinkage: scipy's linkage(method="average") and leaves_list on seeded random data.
Run with Debian's python3 (numpy, scipy): /usr/bin/python3 make_reference.py > average_linkage.json"""
import json
import numpy as np
import scipy
from scipy.cluster.hierarchy import linkage, leaves_list
from scipy.spatial.distance import pdist

cases = []
rng = np.random.default_rng(20261206)
for n, d in [(2, 3), (3, 4), (7, 5), (12, 8), (34, 16), (60, 10)]:
    x = rng.standard_normal((n, d))
    y = pdist(x, metric="cosine")          # 1 - cos, condensed (i < j, row-major)
    z = linkage(y, method="average")
    cases.append({
        "n": n,
        "condensed": [float(v) for v in y],
        "linkage": [[int(r[0]), int(r[1]), float(r[2]), int(r[3])] for r in z],
        "leaves": [int(i) for i in leaves_list(z)],
    })
print(json.dumps({"tool": f"scipy {scipy.__version__}, numpy {np.__version__}", "metric": "cosine", "method": "average", "cases": cases}))
