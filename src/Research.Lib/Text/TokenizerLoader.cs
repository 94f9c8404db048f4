namespace Research.Lib.Text;

/// <summary>Picks the tokenizer a Hugging Face model folder holds: sentencepiece.bpe.model (XLM-R), else vocab.txt / tokenizer.json (WordPiece).</summary>
public static class TokenizerLoader
{
    public static ITextTokenizer Load(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: model folder not found.");
        var sp = Path.Combine(directory, "sentencepiece.bpe.model");
        if (File.Exists(sp))
            return XlmRobertaTokenizer.Load(sp);
        if (File.Exists(Path.Combine(directory, "vocab.txt")) || File.Exists(Path.Combine(directory, "tokenizer.json")))
            return WordPieceTextTokenizer.Load(directory);
        throw new FileNotFoundException($"{directory}: no tokenizer files (sentencepiece.bpe.model, vocab.txt or tokenizer.json).");
    }
}
