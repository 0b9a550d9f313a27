using Simile.Data;
using Simile.Similarity;

namespace Simile.Comparison.Measures;

/// <summary>
/// The two matrices of one comparison with the parameters and lazily computed shared intermediates (kNN lists,
/// unit rows, RDMs), so several measures asked together search neighbours once.
/// </summary>
public sealed class MeasureInputs(Matrix x, Matrix y, MeasureParameters? parameters = null)
{
    public Matrix X { get; } = x;
    public Matrix Y { get; } = y;
    public MeasureParameters Parameters { get; } = parameters ?? new MeasureParameters();
    private NeighbourLists? _ipX, _ipY, _cosX, _cosY;
    private Matrix? _unitX, _unitY;
    private DissimilarityMatrix? _rdmX, _rdmY;
    private readonly object _gate = new();

    public (NeighbourLists X, NeighbourLists Y) InnerProductNeighbours(string measure)
    {
        lock (_gate)
        {
            NearestNeighbours.CheckK(X.Rows, Parameters.K, measure);
            _ipX ??= NearestNeighbours.ByInnerProduct(X, Parameters.K);
            _ipY ??= NearestNeighbours.ByInnerProduct(Y, Parameters.K);
            return (_ipX, _ipY);
        }
    }

    public (NeighbourLists X, NeighbourLists Y) CosineNeighbours(string measure)
    {
        lock (_gate)
        {
            NearestNeighbours.CheckK(X.Rows, Parameters.K, measure);
            _unitX ??= NearestNeighbours.UnitRows(X);
            _unitY ??= NearestNeighbours.UnitRows(Y);
            _cosX ??= NearestNeighbours.ByInnerProduct(_unitX, Parameters.K);
            _cosY ??= NearestNeighbours.ByInnerProduct(_unitY, Parameters.K);
            return (_cosX, _cosY);
        }
    }

    public (Matrix X, Matrix Y) UnitRows()
    {
        lock (_gate)
        {
            _unitX ??= NearestNeighbours.UnitRows(X);
            _unitY ??= NearestNeighbours.UnitRows(Y);
            return (_unitX, _unitY);
        }
    }

    public (DissimilarityMatrix X, DissimilarityMatrix Y) Rdms()
    {
        lock (_gate)
        {
            _rdmX ??= Dissimilarity.Compute(X, Parameters.Rdm);
            _rdmY ??= Dissimilarity.Compute(Y, Parameters.Rdm);
            return (_rdmX, _rdmY);
        }
    }
}
