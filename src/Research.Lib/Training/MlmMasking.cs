using Research.Lib.Data;
using Research.Lib.Tensors;
using Research.Lib.Text;
using TorchSharp;

namespace Research.Lib.Training;

/// <summary>
/// BERT's masked-language-model corruption (Devlin et al. 2019; Hugging Face's DataCollatorForLanguageModeling): each
/// position that is not a special token or padding is chosen with probability p (0.15 by default; DiffCSE's generator
/// input uses 0.30); of the chosen, 80% become the mask token, 10% a uniformly random id of the vocabulary, 10% stay;
/// labels hold the original id at chosen positions and −100 (ignored) elsewhere. Padding is excluded explicitly (HF's
/// slow BertTokenizer did not mark it special, so padding could be masked there).
/// </summary>
public static class MlmMasking
{
    public const long Ignore = -100;

    /// <summary><see cref="Ignore"/> as a Scalar that lives as long as the process (see <see cref="Scalars"/>).</summary>
    internal static readonly Scalar IgnoreScalar = Ignore.ToScalar();

    /// <summary>(corrupted ids, labels), both (batch·length) row-major like <see cref="TokenBatch.Ids"/>.</summary>
    public static (long[] Inputs, long[] Labels) Mask(TokenBatch batch, ITextTokenizer tokenizer, double probability, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var mask = MaskId(tokenizer, probability);
        var random = new SplitMix64(seed);
        var (inputs, labels) = Start(batch);
        for (var i = 0; i < inputs.Length; i++)
        {
            if (batch.Mask[i] == 0 || tokenizer.SpecialIds.Contains((int)inputs[i])) continue;
            if (random.NextDouble() >= probability) continue;
            Corrupt(inputs, labels, i, mask, tokenizer.VocabSize, random);
        }
        return (inputs, labels);
    }

    /// <summary>The tokenizer's mask id, after checking the probability and that the vocabulary has a mask token.</summary>
    internal static long MaskId(ITextTokenizer tokenizer, double probability)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (probability is <= 0 or >= 1 || double.IsNaN(probability))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The masking probability must be in (0, 1).");
        return tokenizer.MaskId ?? throw new InvalidOperationException("The tokenizer's vocabulary has no mask token ([MASK] / <mask>): masked-language-model training needs one.");
    }

    /// <summary>A copy of the batch's ids and labels that ignore every position.</summary>
    internal static (long[] Inputs, long[] Labels) Start(TokenBatch batch)
    {
        var inputs = (long[])batch.Ids.Clone();
        var labels = new long[inputs.Length];
        Array.Fill(labels, Ignore);
        return (inputs, labels);
    }

    /// <summary>Position i chosen: its label is the original id; it becomes the mask token (80%), a random id (10%) or stays (10%).</summary>
    internal static void Corrupt(long[] inputs, long[] labels, int i, long mask, int vocabSize, SplitMix64 random)
    {
        labels[i] = inputs[i];
        var r = random.NextDouble();
        if (r < 0.8) inputs[i] = mask;
        else if (r < 0.9) inputs[i] = random.NextInt(vocabSize);
    }
}
