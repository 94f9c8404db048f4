namespace Research.Lib.Training;

/// <summary>
/// Settings of <see cref="MlmTrainer"/>. Defaults are Hugging Face's run_mlm.py / Trainer defaults (mask probability
/// 0.15, learning rate 5e-5, no warm-up, linear decay, no weight decay, batch 8 there; 32 here) with max 128 tokens.
/// Pre-training a small model from scratch wants a larger learning rate (1e-4 to 5e-4) and warm-up.
/// </summary>
public sealed record MlmTrainingOptions : OptimizationOptions
{
    public MlmTrainingOptions()
    {
        LearningRate = 5e-5;
        LogEvery = 50;
    }

    public double MaskProbability { get; init; } = 0.15;
    /// <summary>
    /// Mask whole words (<see cref="WholeWordMasking"/>): a WordPiece word's "##" pieces together and, for Chinese, the
    /// characters of a word found by <see cref="Text.ChineseWordSegmenter"/>. Off by default (token-level masking).
    /// </summary>
    public bool WholeWordMasking { get; init; }
    public int MaxLength { get; init; } = 128;

    public override void Validate()
    {
        base.Validate();
        if (MaskProbability is <= 0 or >= 1) throw new ArgumentException($"mask_probability {MaskProbability}: expected a number in (0, 1).");
        if (MaxLength < 3) throw new ArgumentException($"max_length {MaxLength}: expected at least 3.");
    }
}
