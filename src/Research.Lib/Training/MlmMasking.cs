using Research.Lib.Data;
using Research.Lib.Text;

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

    /// <summary>(corrupted ids, labels), both (batch·length) row-major like <see cref="TokenBatch.Ids"/>.</summary>
    public static (long[] Inputs, long[] Labels) Mask(TokenBatch batch, ITextTokenizer tokenizer, double probability, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (probability is <= 0 or >= 1 || double.IsNaN(probability))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The masking probability must be in (0, 1).");
        var mask = tokenizer.MaskId ?? throw new InvalidOperationException("The tokenizer's vocabulary has no mask token ([MASK] / <mask>): masked-language-model training needs one.");
        var random = new SplitMix64(seed);
        var inputs = (long[])batch.Ids.Clone();
        var labels = new long[inputs.Length];
        Array.Fill(labels, Ignore);
        for (var i = 0; i < inputs.Length; i++)
        {
            if (batch.Mask[i] == 0 || tokenizer.SpecialIds.Contains((int)inputs[i])) continue;
            if (random.NextDouble() >= probability) continue;
            labels[i] = inputs[i];
            var r = random.NextDouble();
            if (r < 0.8) inputs[i] = mask;
            else if (r < 0.9) inputs[i] = random.NextInt(tokenizer.VocabSize);
        }
        return (inputs, labels);
    }
}
