using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using Research.Lib.IO;

namespace Research.Lib.Text;

/// <summary>
/// XLM-RoBERTa / bge-m3 tokenization: SentencePiece (<c>sentencepiece.bpe.model</c>) with fairseq's id layout,
/// as Hugging Face's XLMRobertaTokenizer does: <c>&lt;s&gt;</c>=0, <c>&lt;pad&gt;</c>=1, <c>&lt;/s&gt;</c>=2,
/// <c>&lt;unk&gt;</c>=3, every other piece its SentencePiece id + 1, and <c>&lt;mask&gt;</c> last.
/// Single: <c>&lt;s&gt; A &lt;/s&gt;</c>; pair: <c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;</c> (segment ids all 0).
/// </summary>
public sealed class XlmRobertaTokenizer : ITextTokenizer
{
    public const int BosId = 0;
    public const int PadTokenId = 1;
    public const int EosId = 2;
    public const int UnkId = 3;
    private const int FairseqOffset = 1;

    private readonly SentencePieceTokenizer _sp;
    private readonly byte[] _model;
    private readonly int _spUnk;
    private readonly SentencePieceModelProto _proto;

    private XlmRobertaTokenizer(byte[] model, string source)
    {
        _model = model;
        _proto = SentencePieceModelProto.Parse(model, source);
        using var stream = new MemoryStream(model);
        _sp = SentencePieceTokenizer.Create(stream, false, false);
        _spUnk = _sp.UnknownId;
        SentencePieceSize = _sp.Vocabulary.Count;
    }

    public string Kind => "sentencepiece";

    /// <summary>Pieces in the SentencePiece model.</summary>
    public int SentencePieceSize { get; }

    /// <summary>SentencePiece pieces + &lt;pad&gt; + &lt;mask&gt;: the embedding rows an XLM-R model needs.</summary>
    public int VocabSize => SentencePieceSize + FairseqOffset + 1;

    public int PadId => PadTokenId;

    public int MaskId => SentencePieceSize + FairseqOffset;

    int? ITextTokenizer.MaskId => MaskId;

    public IReadOnlySet<int> SpecialIds => _specialIds ??= new HashSet<int> { BosId, PadTokenId, EosId, UnkId, MaskId };

    private HashSet<int>? _specialIds;

    public static XlmRobertaTokenizer Load(string modelPath)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"{modelPath}: SentencePiece model not found.", modelPath);
        return new XlmRobertaTokenizer(File.ReadAllBytes(modelPath), modelPath);
    }

    /// <summary>Content ids (fairseq layout) of a text, no special tokens.</summary>
    public int[] ContentIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_proto.NormalizerName.StartsWith("nmt", StringComparison.Ordinal))
            text = RemoveNmtControls(text);
        var sp = _sp.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        var ids = new List<int>(sp.Count);
        for (var i = 0; i < sp.Count; i++)
        {
            if (sp[i] != _spUnk)
                ids.Add(sp[i] + FairseqOffset);
            else if (i == 0 || sp[i - 1] != _spUnk) // SentencePiece merges a run of unknown characters into one <unk>
                ids.Add(UnkId);
        }
        return [.. ids];
    }

    /// <summary>The SentencePiece score of a piece, by fairseq id (for checking segmentation ties).</summary>
    public float Score(int id) => id is BosId or PadTokenId or EosId or UnkId || id >= MaskId ? 0f : _proto.Pieces[id - FairseqOffset].Score;

    /// <summary>The piece string of a content id (fairseq layout), for inspection.</summary>
    public string Piece(int id) => id switch
    {
        BosId => "<s>",
        PadTokenId => "<pad>",
        EosId => "</s>",
        UnkId => "<unk>",
        _ when id == MaskId => "<mask>",
        _ => _proto.Pieces[id - FairseqOffset].Piece,
    };

    /// <summary>
    /// SentencePiece's nmt_* rules delete these control characters (U+0001-0008, 000B, 000E-001F, 007F, 008F,
    /// 009F) in its precompiled character map; Microsoft.ML.Tokenizers 2.0.1 keeps them and emits &lt;unk&gt;.
    /// Measured over every BMP character: these 30 are the only single-character differences.
    /// </summary>
    private static string RemoveNmtControls(string text)
    {
        static bool Removed(char c) => c is >= '\u0001' and <= '\u0008' or '\u000B' or >= '\u000E' and <= '\u001F' or '\u007F' or '\u008F' or '\u009F';
        if (!text.Any(Removed)) return text;
        return string.Concat(text.Where(c => !Removed(c)));
    }

    public TokenizedText Encode(string text, int maxLength)
    {
        var content = ContentIds(text);
        var n = Math.Min(content.Length, Math.Max(0, maxLength - 2));
        var ids = new int[n + 2];
        ids[0] = BosId;
        Array.Copy(content, 0, ids, 1, n);
        ids[^1] = EosId;
        return new TokenizedText(ids, new int[ids.Length]);
    }

    public TokenizedText EncodePair(string first, string second, int maxLength)
    {
        var a = ContentIds(first);
        var b = ContentIds(second);
        var (na, nb) = TruncatingPair.Lengths(a.Length, b.Length, maxLength - 4);
        var ids = new int[na + nb + 4];
        ids[0] = BosId;
        Array.Copy(a, 0, ids, 1, na);
        ids[na + 1] = EosId;
        ids[na + 2] = EosId;
        Array.Copy(b, 0, ids, na + 3, nb);
        ids[^1] = EosId;
        return new TokenizedText(ids, new int[ids.Length]);
    }

    /// <summary>Writes sentencepiece.bpe.model, tokenizer_config.json and special_tokens_map.json as Hugging Face saves them.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, "sentencepiece.bpe.model"), s => s.Write(_model));
        var options = new JsonSerializerOptions { WriteIndented = true };
        (string Name, string Token)[] special = [("bos_token", "<s>"), ("eos_token", "</s>"), ("sep_token", "</s>"), ("cls_token", "<s>"), ("unk_token", "<unk>"), ("pad_token", "<pad>"), ("mask_token", "<mask>")];
        var config = new JsonObject { ["tokenizer_class"] = "XLMRobertaTokenizer" };
        var map = new JsonObject();
        foreach (var (name, token) in special)
        {
            config[name] = token;
            map[name] = token;
        }
        config["model_max_length"] = 512;
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString(options) + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, "special_tokens_map.json"), map.ToJsonString(options) + "\n");
    }
}
