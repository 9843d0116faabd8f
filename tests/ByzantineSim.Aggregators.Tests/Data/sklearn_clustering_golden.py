# Generates the golden labels of SklearnClusteringTests.cs with scikit-learn 1.2.1 (Debian python3-sklearn).
# Run: /usr/bin/python3 sklearn_clustering_golden.py
import numpy as np
from sklearn.cluster import MeanShift, estimate_bandwidth, AgglomerativeClustering
rng = np.random.RandomState(7)
print("# MeanShift")
for case in range(4):
    n = [7, 9, 12, 15][case]
    a = rng.normal([0.9, 0.05, 0.1], 0.03, size=(n - 3, 3))
    b = rng.normal([0.1, 0.05, 0.9], 0.05, size=(3, 3))
    X = np.round(np.vstack([a, b]), 3)
    bw = estimate_bandwidth(X, quantile=0.5, n_samples=50)
    ms = MeanShift(bandwidth=bw, bin_seeding=True, cluster_all=False).fit(X)
    print(case, X.tolist(), repr(bw), ms.labels_.tolist())
print("# Agglomerative")
for case in range(4):
    n = [5, 6, 8, 10][case]
    X = np.round(rng.normal(0, 1, size=(n, 4)), 3)
    norms = np.linalg.norm(X, axis=1)
    D = 1 - (X @ X.T) / np.outer(norms, norms)
    np.fill_diagonal(D, 0)
    D = np.clip(D, 0, 2)
    for linkage in ["average", "single"]:
        lab = AgglomerativeClustering(metric="precomputed", linkage=linkage, n_clusters=2).fit(D).labels_
        print(case, linkage, X.tolist(), lab.tolist())
