using Simile.Models.Tokenization;

namespace Simile.Models.Gguf;

/// <summary>
/// A GGUF file's <c>tokenizer.ggml.*</c> as <see cref="BpeTokenizerData"/> for Simile's one <see cref="BpeTokenizer"/>,
/// with llama.cpp's conventions (<c>llama-vocab.cpp</c>):
/// <list type="bullet">
/// <item><c>gpt2</c>: byte-level BPE with the merges in rank order; the split regex from <c>tokenizer.ggml.pre</c>
/// (<c>llama3</c>/<c>llama-v3</c>/<c>llama-bpe</c>/<c>falcon3</c>: Llama-3's, with whole-token pieces kept (ignore_merges)
/// and BOS added by default; <c>qwen2</c>/<c>deepseek-r1-qwen</c>: Qwen2's; absent/<c>default</c>/<c>gpt-2</c>/…: GPT-2's);
/// control (3) and user-defined (4) tokens are matched whole in a text; no BOS unless the file or the pre-tokenizer says so.</item>
/// <item><c>llama</c>: SentencePiece BPE by scores (highest first); <c>&lt;0xNN&gt;</c> byte tokens (type 6) for byte
/// fallback; the dummy prefix ▁ per <c>tokenizer.ggml.add_space_prefix</c> (default true, also after a special token);
/// BOS added unless <c>add_bos_token</c> is false; user-defined, BOS, EOS and unknown pieces matched whole.</item>
/// </list>
/// <c>tokenizer.ggml.add_bos_token</c> / <c>add_eos_token</c> override the defaults when present.
/// </summary>
public static class GgufTokenizer
{
    /// <summary>Pre-tokenizer names (<c>tokenizer.ggml.pre</c>) → split regex and whether whole-token pieces skip merging.</summary>
    private static readonly Dictionary<string, (string Pattern, bool IgnoreMerges, bool AddBos)> PreTokenizers = new(StringComparer.Ordinal)
    {
        ["llama3"] = (BpeTokenizer.Llama3Pattern, true, true),
        ["llama-v3"] = (BpeTokenizer.Llama3Pattern, true, true),
        ["llama-bpe"] = (BpeTokenizer.Llama3Pattern, true, true),
        ["falcon3"] = (BpeTokenizer.Llama3Pattern, true, true),
        ["qwen2"] = (BpeTokenizer.Qwen2Pattern, false, false),
        ["deepseek-r1-qwen"] = (BpeTokenizer.Qwen2Pattern, false, false),
        ["default"] = (BpeTokenizer.Gpt2Pattern, false, false),
        ["gpt-2"] = (BpeTokenizer.Gpt2Pattern, false, false),
        ["phi-2"] = (BpeTokenizer.Gpt2Pattern, false, false),
        ["olmo"] = (BpeTokenizer.Gpt2Pattern, false, false),
        ["mpt"] = (BpeTokenizer.Gpt2Pattern, false, false),
    };

    /// <summary>The pre-tokenizer names Simile reads, for messages.</summary>
    public static IReadOnlyCollection<string> SupportedPreTokenizers => PreTokenizers.Keys;

    public static BpeTokenizerData ToBpe(GgufTokenizerData t, string source)
    {
        var types = t.TokenTypes;
        IEnumerable<int> Ids(params int[] kinds) =>
            types is null ? [] : Enumerable.Range(0, t.Tokens.Count).Where(i => Array.IndexOf(kinds, types[i]) >= 0);
        switch (t.Model)
        {
            case "gpt2":
            {
                string pre = t.Pre ?? "default";
                if (!PreTokenizers.TryGetValue(pre, out var p))
                    throw new SimileException($"'{source}' has byte-level BPE pre-tokenizer '{pre}' (tokenizer.ggml.pre), which Simile does not read; it reads {string.Join(", ", PreTokenizers.Keys)}",
                        "use the model's Hugging Face folder (tokenizer.json), or a GGUF model of a supported family (Llama 3, Qwen2)");
                var merges = t.Merges!.Select(m =>
                {
                    int sp = m.IndexOf(' ', 1);
                    return (m[..sp], m[(sp + 1)..]);
                }).ToList();
                var specials = Ids(3, 4).Select(i => t.Tokens[i]).ToList();
                bool addBos = (t.AddBos ?? p.AddBos) && t.BosId is not null;
                bool addEos = (t.AddEos ?? false) && t.EosId is not null;
                return new BpeTokenizerData(BpeKind.ByteLevel, t.Tokens, Merges: merges, TokenTypes: null,
                    BosId: t.BosId, EosId: t.EosId, AddBos: addBos, AddEos: addEos, UnknownId: t.UnknownId,
                    SplitPatterns: [p.Pattern], IgnoreMerges: p.IgnoreMerges, SpecialTokens: specials);
            }
            case "llama":
            {
                if (t.Scores is null)
                    throw new SimileException($"'{source}' has a SentencePiece tokenizer (tokenizer.ggml.model = llama) without 'tokenizer.ggml.scores'",
                        "convert the model again with llama.cpp's convert_hf_to_gguf.py");
                int? bos = t.BosId, eos = t.EosId, unk = t.UnknownId;
                var specials = Ids(4).Concat(new[] { bos, eos, unk }.OfType<int>()).Distinct().Select(i => t.Tokens[i]).ToList();
                bool byteFallback = types is not null ? Ids(6).Any() : t.Tokens.Any(s => s.Length == 6 && s.StartsWith("<0x", StringComparison.Ordinal));
                return new BpeTokenizerData(BpeKind.SentencePiece, t.Tokens, Scores: t.Scores, TokenTypes: types,
                    BosId: bos, EosId: eos, AddBos: (t.AddBos ?? true) && bos is not null, AddEos: (t.AddEos ?? false) && eos is not null,
                    UnknownId: unk, AddSpacePrefix: t.AddSpacePrefix ?? true, PrefixEverySegment: true,
                    ByteFallback: byteFallback, SpecialTokens: specials);
            }
            default:
                throw new SimileException($"'{source}' has tokenizer model '{t.Model}' (tokenizer.ggml.model), which Simile does not read",
                    "use a model with a byte-level BPE (gpt2) or SentencePiece BPE (llama) tokenizer");
        }
    }
}
