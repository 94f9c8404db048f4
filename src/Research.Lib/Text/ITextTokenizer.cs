namespace Research.Lib.Text;

/// <summary>
/// A model's tokenizer: text to ids with the model's special tokens, truncated to a maximum length.
/// Implementations are thread-safe, so batches can be tokenized off the tensor thread.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>"wordpiece" or "sentencepiece".</summary>
    string Kind { get; }

    /// <summary>Size of the id space the embedding matrix must cover.</summary>
    int VocabSize { get; }

    int PadId { get; }

    /// <summary>The mask token's id ([MASK], &lt;mask&gt;) for masked-language-model training; null when the vocabulary has none.</summary>
    int? MaskId { get; }

    /// <summary>Ids of the special tokens (CLS/SEP/PAD/UNK/MASK or their XLM-R forms): never masked, never repeated.</summary>
    IReadOnlySet<int> SpecialIds { get; }

    /// <summary>[CLS] text [SEP] (BERT) or &lt;s&gt; text &lt;/s&gt; (XLM-R), truncated to <paramref name="maxLength"/> tokens in all.</summary>
    TokenizedText Encode(string text, int maxLength);

    /// <summary>A sentence pair with segment ids, truncated longest-first to <paramref name="maxLength"/> in all.</summary>
    TokenizedText EncodePair(string first, string second, int maxLength);

    /// <summary>Writes the tokenizer's files into a model folder.</summary>
    void Save(string directory);
}
