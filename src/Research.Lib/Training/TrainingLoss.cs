namespace Research.Lib.Training;

/// <summary>Which contrastive loss the supervised trainer optimizes.</summary>
public enum TrainingLoss
{
    /// <summary>InfoNCE with in-batch and hard negatives (FlagEmbedding, sentence-transformers' MNRL).</summary>
    InfoNce,

    /// <summary>In-batch negatives with margin and scale (PaddleNLP semantic indexing); hard negatives are not used.</summary>
    MarginScale,
}
