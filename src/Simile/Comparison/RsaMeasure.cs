using System.Numerics;
using System.Numerics.Tensors;

namespace Simile.Comparison;

/// <summary>Second-order measures between two condensed (dis)similarity vectors, rsatoolbox definitions.</summary>
public enum RsaMeasure { Pearson, Spearman, KendallTauB, TauA, RhoA, Cosine }
