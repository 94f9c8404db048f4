using System.Text.Json;
using Research.Lib.Text;

namespace Research.Lib.Tests.Text;

/// <summary>
/// Our tokenizers against references that are not ours: Hugging Face tokenizers (Rust, via npm) for WordPiece
/// and Google's sentencepiece (Debian python3-sentencepiece) for XLM-R. Skips visibly when a tool is missing.
/// </summary>
public class TokenizerParityTests
{
    private static string Model(string name) => Path.Combine(TestPaths.ToyData, name);

    [SkippableFact]
    public void WordPieceIdsEqualHuggingFaceTokenizers()
    {
        var missing = ReferenceTools.NodeTokenizersMissing();
        Skip.If(missing is not null, missing);
        var strings = TokenizerParityStrings.All();
        Assert.True(strings.Count >= 200, $"only {strings.Count} strings");
        var tokenizer = WordPieceTextTokenizer.Load(Model("tiny-bert"));
        var expected = Reference("node", Path.Combine(ReferenceTools.Dir, "tokenize_reference.js"), Path.Combine(Model("tiny-bert"), "tokenizer.json"), strings);
        AssertSameIds(strings, expected, s => tokenizer.Encode(s, 100_000).Ids);
    }

    [SkippableFact]
    public void SentencePieceIdsEqualGoogleSentencepiece()
    {
        var missing = ReferenceTools.PythonMissing("sentencepiece");
        Skip.If(missing is not null, missing);
        var strings = TokenizerParityStrings.All();
        var spm = Path.Combine(Model("tiny-xlmr"), "sentencepiece.bpe.model");
        var tokenizer = XlmRobertaTokenizer.Load(spm);
        var expected = Reference("/usr/bin/python3", Path.Combine(ReferenceTools.Dir, "spm_reference.py"), spm, strings);
        // One kind of difference is tolerated, and checked to be exactly that: a segmentation tie. When two
        // segmentations of the same characters have the same total score, sentencepiece's float32 accumulation
        // picks one by rounding (e.g. "777" as 7+77 or 77+7). Same pieces' text, same total score (1e-4).
        var ties = 0;
        AssertSameIds(strings, expected, s =>
        {
            var ours = tokenizer.Encode(s, 100_000).Ids;
            var reference = expected[strings.ToList().IndexOf(s)];
            if (ours.SequenceEqual(reference)) return ours;
            var sameText = string.Concat(ours.Select(tokenizer.Piece)) == string.Concat(reference.Select(tokenizer.Piece));
            var sameScore = Math.Abs(ours.Sum(i => (double)tokenizer.Score(i)) - reference.Sum(i => (double)tokenizer.Score(i))) < 1e-4;
            if (!sameText || !sameScore) return ours;
            ties++;
            return reference;
        });
        Assert.True(ties <= 2, $"{ties} segmentation ties; expected at most 2 on these strings");
    }

    private static int[][] Reference(string runner, string script, string model, IReadOnlyList<string> strings)
    {
        using var dir = new TempDir();
        var input = Path.Combine(dir.Path, "in.json");
        var output = Path.Combine(dir.Path, "out.json");
        File.WriteAllText(input, JsonSerializer.Serialize(strings));
        ReferenceTools.RunOrThrow(runner, script, model, input, output);
        return JsonSerializer.Deserialize<int[][]>(File.ReadAllText(output))!;
    }

    private static void AssertSameIds(IReadOnlyList<string> strings, int[][] expected, Func<string, int[]> ours)
    {
        Assert.Equal(strings.Count, expected.Length);
        var mismatches = new List<string>();
        for (var i = 0; i < strings.Count; i++)
        {
            var actual = ours(strings[i]);
            if (!actual.SequenceEqual(expected[i]))
                mismatches.Add($"{JsonSerializer.Serialize(strings[i])}: reference [{string.Join(",", expected[i])}] ours [{string.Join(",", actual)}]");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {strings.Count} strings differ:\n" + string.Join("\n", mismatches.Take(15)));
    }
}
