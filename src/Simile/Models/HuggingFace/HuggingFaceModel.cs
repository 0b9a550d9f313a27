namespace Simile.Models.HuggingFace;

/// <summary>A Hugging Face model folder (config.json, *.safetensors, tokenizer files): BERT or GPT-2, native forward pass.</summary>
public static class HuggingFaceModel
{
    /// <summary>True when the folder looks like a Hugging Face model folder (has config.json).</summary>
    public static bool IsModelFolder(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, "config.json"));

    /// <summary>The full model (every layer), weights memory-mapped.</summary>
    public static ITransformerModel Open(string folder) => throw new NotImplementedException();

    /// <summary>Only the static token-embedding matrix and the tokenizer (reads only that tensor).</summary>
    public static IWordEmbeddings OpenEmbeddings(string folder) => throw new NotImplementedException();

    /// <summary>Multi-line description for <c>simile inspect</c>: architecture, layers, heads, dims, vocabulary, tensors with dtypes.</summary>
    public static string Describe(string folder) => throw new NotImplementedException();
}
