using Simile.Engine;

namespace Simile.Models.Onnx;

/// <summary>
/// Builds <see cref="BertWeights"/> from the initializers of a BERT-style ONNX graph (the embedded MiniLM / Arctic-xs
/// exports), by following the graph's nodes rather than trusting names — the exporter stores the projection weights
/// transposed ([in × out]) under names like <c>onnx::MatMul_788</c>. For each encoder layer l:
/// <list type="bullet">
/// <item>its input x is the LayerNorm output before it (the embedding LayerNorm for layer 0);</item>
/// <item>the three <c>MatMul(x, W)</c> + <c>Add(b)</c> projections of x are Q, K and V, told apart by where they
/// flow: into the first or second operand of the score MatMul that feeds the layer's Softmax (Q, K), or into the
/// second operand of the MatMul that consumes the Softmax output (V);</item>
/// <item>the attention-output dense layer is the MatMul+Add that, added to x, feeds the next LayerNorm; the
/// intermediate dense layer is the MatMul+Add consuming that LayerNorm's output; the output dense layer is the
/// MatMul+Add that, added to it, feeds the LayerNorm after.</item>
/// </list>
/// The weights stay views of the model bytes (no copy).
/// </summary>
public static class OnnxBertWeights
{
    public static BertWeights FromGraph(BertGraph graph)
    {
        var m = graph.Model;
        int D = graph.Dims, L = graph.Layers;
        var norms = m.Nodes.Where(IsLayerNormEnd(m)).ToList();
        var softmax = m.Nodes.Where(n => n.OpType == "Softmax").ToList();
        int H = graph.Heads > 0 ? graph.Heads : softmax.Count > 0 ? HeadsFromScoreScale(m, softmax[0], D) : 0;
        if (H <= 0 || D % H != 0)
            throw Unsupported(m, $"the number of attention heads could not be read from the graph (found {H})");
        if (softmax.Count != L || norms.Count != 2 * L + 1)
            throw Unsupported(m, $"found {norms.Count} LayerNorms and {softmax.Count} Softmax nodes, expected 2L+1 and L");

        // Embeddings: Gather(table, input_ids) / Gather(table, token_type_ids) / the other table Gather (positions).
        var gathers = m.Nodes.Where(n => n.OpType == "Gather" && n.Inputs.Count == 2 && m.IsInitializer(n.Inputs[0])
                                         && m.Initializer(n.Inputs[0]).Dims.Count == 2 && m.Initializer(n.Inputs[0]).Dims[1] == D).ToList();
        var word = gathers.FirstOrDefault(g => g.Inputs[1] == "input_ids") ?? throw Unsupported(m, "no Gather of a token table by input_ids");
        var type = gathers.FirstOrDefault(g => g.Inputs[1] == "token_type_ids");
        var position = gathers.FirstOrDefault(g => g != word && g != type) ?? throw Unsupported(m, "no position-embedding Gather");
        ReadOnlyMemory<float> typeTable = type is not null ? Floats(m, type.Inputs[0]) : new float[D];   // no token types: a zero row

        var (embGamma, embBeta, _, embEps) = NormParameters(m, norms[0], D);
        int I = -1;
        var layers = new BertLayerWeights[L];
        for (int l = 0; l < L; l++)
        {
            string x = Out(norms[2 * l]);
            var attnNorm = norms[2 * l + 1];
            var outNorm = norms[2 * l + 2];

            // Q, K, V: the projections of x, sorted by where they flow.
            var projections = m.ConsumersOf(x).Where(n => n.OpType == "MatMul" && In(n, 0) == x && m.IsInitializer(In(n, 1)))
                .Select(n => Dense(m, n)).ToList();
            if (projections.Count != 3) throw Unsupported(m, $"layer {l}: {projections.Count} projections of the layer input, expected 3 (Q, K, V)");
            var sm = softmax[l];
            var scores = Upstream(m, In(sm, 0), n => n.OpType == "MatMul" && n.Inputs.Count >= 2) ?? throw Unsupported(m, $"layer {l}: no score MatMul before Softmax");
            var context = m.ConsumersOf(Out(sm)).FirstOrDefault(n => n.OpType == "MatMul" && n.Inputs.Count >= 2) ?? throw Unsupported(m, $"layer {l}: no MatMul after Softmax");
            Linear Pick(string operand, string role)
            {
                var found = projections.Where(p => FlowsInto(m, p.Output, operand)).ToList();
                if (found.Count != 1) throw Unsupported(m, $"layer {l}: cannot tell which projection is {role} ({found.Count} candidates)");
                return Square(m, found[0].Linear, D, $"layer {l}: {role}");
            }
            var q = Pick(scores.Inputs[0], "the query");
            var k = Pick(scores.Inputs[1], "the key");
            var v = Pick(context.Inputs[1], "the value");

            var (ag, ab, attnIn, _) = NormParameters(m, attnNorm, D);
            var attnOut = ResidualDense(m, attnIn, x) ?? throw Unsupported(m, $"layer {l}: attention output is not Add(dense, residual)");
            Square(m, attnOut, D, $"layer {l}: the attention output");
            string h = Out(attnNorm);
            var inter = m.ConsumersOf(h).Where(n => n.OpType == "MatMul" && In(n, 0) == h && m.IsInitializer(In(n, 1)))
                .Select(n => Dense(m, n)).ToList();
            if (inter.Count != 1) throw Unsupported(m, $"layer {l}: {inter.Count} intermediate dense layers, expected 1");
            var (og, ob, outIn, _) = NormParameters(m, outNorm, D);
            var output = ResidualDense(m, outIn, h) ?? throw Unsupported(m, $"layer {l}: output is not Add(dense, residual)");
            if (I < 0) I = inter[0].Linear.Out;
            if (inter[0].Linear.In != D || inter[0].Linear.Out != I || output.In != I || output.Out != D)
                throw Unsupported(m, $"layer {l}: the feed-forward layers are {inter[0].Linear.In}→{inter[0].Linear.Out} and {output.In}→{output.Out}, expected {D}→{I} and {I}→{D}");
            layers[l] = new BertLayerWeights(q, k, v, attnOut, new LayerNormWeights(ag, ab), inter[0].Linear, output, new LayerNormWeights(og, ob));
        }

        var positions = m.Initializer(position.Inputs[0]);
        var wordTable = Floats(m, word.Inputs[0]);
        var positionTable = Floats(m, position.Inputs[0]);
        if (typeTable.Length < D || typeTable.Length % D != 0) throw Unsupported(m, $"the token-type table holds {typeTable.Length} values, not rows of {D}");
        if (wordTable.Length == 0 || positionTable.Length == 0) throw Unsupported(m, "the token or position table is empty");
        return new BertWeights(D, H, IntDim(m, positions, 0), embEps, wordTable, positionTable, typeTable,
            new LayerNormWeights(embGamma, embBeta), layers);
    }

    /// <summary>Input <paramref name="i"/> of a node, or "" when the node has fewer inputs (a damaged graph).</summary>
    private static string In(OnnxNode n, int i) => i < n.Inputs.Count ? n.Inputs[i] : "";

    /// <summary>The node's first output, or "" when it has none.</summary>
    private static string Out(OnnxNode n) => n.Outputs.Count > 0 ? n.Outputs[0] : "";

    private static int IntDim(OnnxModelFile m, OnnxTensor t, int axis)
    {
        long d = t.Dims[axis];
        if (d < 1 || d > int.MaxValue) throw Unsupported(m, $"tensor '{t.Name}' has dimension {d} on axis {axis}");
        return (int)d;
    }

    private static Linear Square(OnnxModelFile m, Linear linear, int dims, string role) =>
        linear.In == dims && linear.Out == dims ? linear
        : throw Unsupported(m, $"{role} maps {linear.In}→{linear.Out}, expected {dims}→{dims}");

    /// <summary>Heads from the score scaling before the first Softmax: Div by √d_head (or Mul by 1/√d_head) → D / d_head.</summary>
    private static int HeadsFromScoreScale(OnnxModelFile m, OnnxNode softmax, int dims)
    {
        var node = m.ProducerOf(In(softmax, 0));
        for (int i = 0; node is not null && i < 4; i++)
        {
            if (node.OpType is "Div" or "Mul" && node.Inputs.Count == 2 && ScalarConstant(m, node.Inputs[1]) is double c && c > 0)
            {
                double headDim = node.OpType == "Div" ? c * c : 1 / (c * c);
                if (!(headDim >= 1 && headDim <= dims)) return 0;
                int hd = (int)Math.Round(headDim);
                return Math.Abs(hd - headDim) < 1e-3 && dims % hd == 0 ? dims / hd : 0;
            }
            string? next = node.Inputs.FirstOrDefault(s => s.Length > 0 && m.ProducerOf(s) is { } p && p.OpType != "Constant");
            node = next is null ? null : m.ProducerOf(next);
        }
        return 0;
    }

    private sealed record DenseLayer(Linear Linear, string Output);

    /// <summary>MatMul(x, W[in × out]) followed by Add(b) (either operand order): the Linear and the Add's output.</summary>
    private static DenseLayer Dense(OnnxModelFile m, OnnxNode matmul)
    {
        var w = m.Initializer(In(matmul, 1));
        if (w.Dims.Count != 2) throw Unsupported(m, $"MatMul weight '{w.Name}' is not a matrix");
        var add = m.ConsumersOf(Out(matmul)).FirstOrDefault(n => n.OpType == "Add" && n.Inputs.Any(m.IsInitializer))
                  ?? throw Unsupported(m, $"MatMul with '{w.Name}' has no bias Add");
        string bias = add.Inputs.First(m.IsInitializer);
        int inDims = IntDim(m, w, 0), outDims = IntDim(m, w, 1);
        if (m.Initializer(bias).ElementCount != outDims) throw Unsupported(m, $"bias '{bias}' does not match weight '{w.Name}'");
        return new DenseLayer(new Linear(Floats(m, w.Name), Floats(m, bias), inDims, outDims, OutByIn: false), Out(add));
    }

    /// <summary>value = Add(dense(·), residual) → that dense layer.</summary>
    private static Linear? ResidualDense(OnnxModelFile m, string value, string residual)
    {
        var add = m.ProducerOf(value);
        if (add?.OpType != "Add" || add.Inputs.Count != 2 || !add.Inputs.Contains(residual)) return null;
        string other = add.Inputs[0] == residual ? add.Inputs[1] : add.Inputs[0];
        var biasAdd = m.ProducerOf(other);
        if (biasAdd?.OpType != "Add") return null;
        var matmul = biasAdd.Inputs.Select(m.ProducerOf).FirstOrDefault(n => n?.OpType == "MatMul" && m.IsInitializer(In(n, 1)));
        return matmul is null ? null : Dense(m, matmul).Linear;
    }

    /// <summary>γ, β, the normalised input and ε of a LayerNorm (fused LayerNormalization or the decomposed pattern); γ and β hold <paramref name="dims"/> values.</summary>
    private static (ReadOnlyMemory<float> Gamma, ReadOnlyMemory<float> Beta, string Input, double Eps) NormParameters(OnnxModelFile m, OnnxNode end, int dims)
    {
        string gamma, beta, input;
        double eps = 1e-12;
        if (end.OpType == "LayerNormalization")
        {
            if (end.Inputs.Count < 3) throw Unsupported(m, $"LayerNormalization '{end.Name}' has {end.Inputs.Count} inputs, expected 3 (x, γ, β)");
            (input, gamma, beta) = (end.Inputs[0], end.Inputs[1], end.Inputs[2]);
            eps = end.Attribute("epsilon")?.F ?? 1e-5;
        }
        else
        {
            // Add(Mul(Div(Sub(x, ReduceMean(x)), Sqrt(Add(ReduceMean(Pow(·, 2)), ε))), γ), β)
            beta = end.Inputs.FirstOrDefault(m.IsInitializer) ?? "";
            var mul = end.Inputs.Select(m.ProducerOf).FirstOrDefault(n => n?.OpType == "Mul");
            gamma = mul?.Inputs.FirstOrDefault(m.IsInitializer) ?? "";
            var div = mul?.Inputs.Select(m.ProducerOf).FirstOrDefault(n => n?.OpType == "Div");
            var sub = div is null ? null : m.ProducerOf(In(div, 0));
            if (beta.Length == 0 || gamma.Length == 0 || div is null || sub is null || sub.Inputs.Count == 0)
                throw Unsupported(m, $"LayerNorm ending at '{end.Name}' lacks γ, β or its Sub/Div pattern");
            input = sub.Inputs[0];
            var sqrt = m.ProducerOf(In(div, 1));
            if (sqrt?.OpType == "Sqrt" && m.ProducerOf(In(sqrt, 0)) is { OpType: "Add" } epsAdd)
                foreach (string e in epsAdd.Inputs)
                    if (ScalarConstant(m, e) is double c) eps = c;
        }
        var g = Floats(m, gamma);
        var b = Floats(m, beta);
        if (g.Length != dims || b.Length != dims)
            throw Unsupported(m, $"LayerNorm '{end.Name}' has γ of {g.Length} and β of {b.Length} values, expected {dims}");
        if (!(eps > 0 && eps <= 1)) throw Unsupported(m, $"LayerNorm '{end.Name}' has ε = {eps}, outside (0, 1]");
        return (g, b, input, eps);
    }

    private static Func<OnnxNode, bool> IsLayerNormEnd(OnnxModelFile m) => n =>
    {
        if (n.OpType == "LayerNormalization") return true;
        if (n.OpType != "Add" || !n.Inputs.Any(m.IsInitializer)) return false;
        var mul = n.Inputs.Select(m.ProducerOf).FirstOrDefault(p => p?.OpType == "Mul");
        var div = mul?.Inputs.Select(m.ProducerOf).FirstOrDefault(p => p?.OpType == "Div");
        var sub = div is null ? null : m.ProducerOf(In(div, 0));
        return sub?.OpType == "Sub" && sub.Inputs.Count == 2 && m.ProducerOf(sub.Inputs[1])?.OpType == "ReduceMean";
    };

    /// <summary>The nearest node upstream of <paramref name="value"/> (through single-path ops) that matches.</summary>
    private static OnnxNode? Upstream(OnnxModelFile m, string value, Func<OnnxNode, bool> match, int depth = 8)
    {
        var node = m.ProducerOf(value);
        for (int i = 0; node is not null && i < depth; i++)
        {
            if (match(node)) return node;
            string? next = node.Inputs.FirstOrDefault(s => s.Length > 0 && !m.IsInitializer(s) && m.ProducerOf(s)?.OpType != "Constant");
            node = next is null ? null : m.ProducerOf(next);
        }
        return null;
    }

    /// <summary>True when <paramref name="source"/> reaches <paramref name="target"/> going downstream through at most a few nodes.</summary>
    private static bool FlowsInto(OnnxModelFile m, string source, string target, int depth = 8)
    {
        if (source == target) return true;
        if (depth == 0) return false;
        foreach (var n in m.ConsumersOf(source))
            if (n.OpType is "Reshape" or "Transpose" or "Div" or "Mul" or "Squeeze" or "Unsqueeze" or "Cast")
                foreach (var o in n.Outputs)
                    if (FlowsInto(m, o, target, depth - 1)) return true;
        return false;
    }

    private static ReadOnlyMemory<float> Floats(OnnxModelFile m, string name) => m.Initializer(name).FloatValues();

    /// <summary>A float scalar from an initializer or a Constant node (through the ONNX reader's ConstantTensor).</summary>
    private static double? ScalarConstant(OnnxModelFile m, string value)
    {
        var t = m.ConstantTensor(value);
        if (t is not null && t.ElementCount == 1 && t.DataType is OnnxDataType.Float or OnnxDataType.Double or OnnxDataType.Float16)
            return t.FloatValues().Span[0];
        return m.ProducerOf(value) is { OpType: "Constant" } node ? node.Attribute("value_float")?.F : null;
    }

    private static SimileException Unsupported(OnnxModelFile m, string what) =>
        new($"{m.Source}: the native BERT cannot map this graph's weights: {what}",
            "run the model through ONNX Runtime instead (the default), or use a Hugging Face folder");
}
