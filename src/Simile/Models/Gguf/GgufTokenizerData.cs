namespace Simile.Models.Gguf;

/// <summary>
/// The tokenizer a GGUF file carries (<c>tokenizer.ggml.*</c>), validated but not interpreted: the tokenizer algorithms
/// (byte-level BPE, SentencePiece BPE) are built from this record elsewhere.
/// <list type="bullet">
/// <item><see cref="Model"/> "gpt2": byte-level BPE (tokens in GPT-2's byte-to-unicode alphabet, "Ġ" = space) with
/// <see cref="Merges"/> ("a b", in priority order); <see cref="Pre"/> names the pre-tokenizer regex ("llama-bpe", "qwen2", …).</item>
/// <item><see cref="Model"/> "llama": SentencePiece BPE ("▁" = space, byte tokens "&lt;0x41&gt;") with <see cref="Scores"/>.</item>
/// </list>
/// <see cref="TokenTypes"/> follow llama.cpp: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
/// </summary>
public sealed record GgufTokenizerData(
    string Model,
    string? Pre,
    IReadOnlyList<string> Tokens,
    IReadOnlyList<int>? TokenTypes,
    IReadOnlyList<float>? Scores,
    IReadOnlyList<string>? Merges,
    int? BosId,
    int? EosId,
    int? UnknownId,
    int? PaddingId,
    bool? AddBos,
    bool? AddEos,
    bool? AddSpacePrefix)
{
    /// <summary>"byte-level-bpe" for gpt2, "sentencepiece-bpe" for llama, the raw model name otherwise.</summary>
    public string Kind => Model switch { "gpt2" => "byte-level-bpe", "llama" => "sentencepiece-bpe", _ => Model };

    /// <summary>Reads and validates <c>tokenizer.ggml.*</c>: the token list exists, per-token arrays have its length, ids lie in it.</summary>
    public static GgufTokenizerData Read(GgufFile f)
    {
        string path = f.Path;
        string model = f.GetString("tokenizer.ggml.model")
            ?? throw new SimileException($"GGUF file '{path}' has no tokenizer (metadata 'tokenizer.ggml.model' is missing)",
                "use a GGUF file converted with its tokenizer (llama.cpp's convert_hf_to_gguf.py writes it)");
        var tokens = f.GetArray<string>("tokenizer.ggml.tokens")
            ?? throw new SimileException($"GGUF file '{path}' has no token list ('tokenizer.ggml.tokens')",
                "use a GGUF file converted with its tokenizer");
        if (tokens.Length == 0)
            throw new SimileException($"GGUF file '{path}': 'tokenizer.ggml.tokens' is empty", "use a GGUF file converted with its tokenizer");

        int[]? types = null;
        if (f.Get("tokenizer.ggml.token_type") is { } tt)
        {
            types = tt.Value switch
            {
                int[] a => a,
                uint[] a => a.Select(x => x > int.MaxValue ? -1 : (int)x).ToArray(),
                _ => throw new SimileException($"GGUF file '{path}': 'tokenizer.ggml.token_type' is {tt.TypeText}, expected an INT32 array",
                    "the tokenizer metadata is corrupt: convert the model again"),
            };
            SameLength("tokenizer.ggml.token_type", types.Length);
        }
        float[]? scores = f.GetArray<float>("tokenizer.ggml.scores");
        if (scores is not null) SameLength("tokenizer.ggml.scores", scores.Length);
        string[]? merges = f.GetArray<string>("tokenizer.ggml.merges");

        if (model == "gpt2")
        {
            if (merges is null)
                throw new SimileException($"GGUF file '{path}': a byte-level BPE tokenizer ('gpt2') without 'tokenizer.ggml.merges'",
                    "convert the model again with llama.cpp's convert_hf_to_gguf.py");
            for (int i = 0; i < merges.Length; i++)
            {
                int sp = merges[i].IndexOf(' ', 1);
                if (sp <= 0 || sp == merges[i].Length - 1)
                    throw new SimileException($"GGUF file '{path}': merge {i} \"{merges[i]}\" is not two space-separated pieces",
                        "the tokenizer metadata is corrupt: convert the model again");
            }
        }

        return new GgufTokenizerData(model, f.GetString("tokenizer.ggml.pre"), tokens, types, scores, merges,
            Id("tokenizer.ggml.bos_token_id"), Id("tokenizer.ggml.eos_token_id"), Id("tokenizer.ggml.unknown_token_id"),
            Id("tokenizer.ggml.padding_token_id"), f.GetBool("tokenizer.ggml.add_bos_token"), f.GetBool("tokenizer.ggml.add_eos_token"),
            f.GetBool("tokenizer.ggml.add_space_prefix"));

        void SameLength(string key, int n)
        {
            if (n != tokens.Length)
                throw new SimileException($"GGUF file '{path}': '{key}' has {n} entries but 'tokenizer.ggml.tokens' has {tokens.Length}",
                    "the tokenizer metadata is corrupt: convert the model again");
        }

        int? Id(string key)
        {
            long? v = f.GetInteger(key);
            if (v is null) return null;
            if (v < 0 || v >= tokens.Length)
                throw new SimileException($"GGUF file '{path}': '{key}' is {v}, outside the {tokens.Length}-token vocabulary",
                    "the tokenizer metadata is corrupt: convert the model again");
            return (int)v;
        }
    }
}
