namespace Research.Lib.Data.Augment;

/// <summary>What a text augmentation repeats, deletes, swaps or inserts.</summary>
public enum AugmentUnit
{
    /// <summary>Each character (not whitespace): the unit for Chinese, where a BERT vocabulary has one token per character.</summary>
    Character,

    /// <summary>Each whitespace-separated word: the unit for English and other space-delimited languages.</summary>
    Word,
}
