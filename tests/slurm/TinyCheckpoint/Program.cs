using Simile.Tests.Models.HuggingFace;

// tiny-checkpoint DIR: a random 2-layer BERT (d = 16) in Hugging Face layout (config.json, vocab.txt, model.safetensors).
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: TinyCheckpoint DIR");
    return 2;
}
Directory.CreateDirectory(args[0]);
TinyModel.Bert(seed: 11).WriteFolder(args[0]);
Console.WriteLine($"wrote a tiny BERT checkpoint to {Path.GetFullPath(args[0])}");
return 0;
