using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using Research.Lib.Data;

namespace Research.Lib.Text;

/// <summary>
/// BERT WordPiece tokenization (bert-base-chinese, bge-*-zh, text2vec): clean text, optionally lower-case and
/// strip accents, split punctuation and every CJK character, then greedy longest-match WordPiece with
/// <c>##</c> continuations. Built on Microsoft.ML.Tokenizers' BertTokenizer; settings come from the
/// checkpoint (<c>tokenizer_config.json</c> or <c>tokenizer.json</c>), as Hugging Face applies them.
/// </summary>
public sealed class WordPieceTextTokenizer : ITextTokenizer
{
    private readonly BertTokenizer _tokenizer;
    private readonly string[] _vocab;

    private WordPieceTextTokenizer(string[] vocab, WordPieceSettings settings)
    {
        _vocab = vocab;
        Settings = settings;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', vocab) + "\n"));
        _tokenizer = BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = settings.LowerCase,
            RemoveNonSpacingMarks = settings.StripAccents,
            IndividuallyTokenizeCjk = settings.TokenizeChineseChars,
            ApplyBasicTokenization = true,
            SplitOnSpecialTokens = true,
            UnknownToken = settings.UnkToken,
            ClassificationToken = settings.ClsToken,
            SeparatorToken = settings.SepToken,
            PaddingToken = settings.PadToken,
            MaskingToken = settings.MaskToken,
        });
        ClsId = _tokenizer.ClassificationTokenId;
        SepId = _tokenizer.SeparatorTokenId;
        PadId = _tokenizer.PaddingTokenId;
    }

    public string Kind => "wordpiece";

    public int VocabSize => _vocab.Length;

    public int PadId { get; }

    public int ClsId { get; }

    public int SepId { get; }

    public WordPieceSettings Settings { get; }

    public static WordPieceTextTokenizer Create(IReadOnlyList<string> vocab, WordPieceSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        settings ??= new WordPieceSettings();
        foreach (var special in new[] { settings.UnkToken, settings.ClsToken, settings.SepToken, settings.PadToken })
            if (!vocab.Contains(special))
                throw new InvalidDataException($"WordPiece vocabulary lacks the special token '{special}'.");
        return new WordPieceTextTokenizer(vocab.ToArray(), settings);
    }

    /// <summary>
    /// Loads from a model folder: <c>vocab.txt</c> (+ <c>tokenizer_config.json</c> for do_lower_case,
    /// tokenize_chinese_chars, strip_accents, special tokens), or else <c>tokenizer.json</c> (WordPiece model with
    /// a BertNormalizer).
    /// </summary>
    public static WordPieceTextTokenizer Load(string directory)
    {
        var vocabPath = Path.Combine(directory, "vocab.txt");
        var configPath = Path.Combine(directory, "tokenizer_config.json");
        var jsonPath = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(vocabPath))
        {
            var vocab = File.ReadAllLines(vocabPath).Select(l => l.TrimEnd('\r')).ToList();
            if (vocab.Count > 0 && vocab[^1].Length == 0) vocab.RemoveAt(vocab.Count - 1);
            var settings = File.Exists(configPath) ? WordPieceSettings.FromTokenizerConfig(configPath) : new WordPieceSettings();
            return Create(vocab, settings);
        }
        if (File.Exists(jsonPath))
            return FromTokenizerJson(jsonPath);
        throw new FileNotFoundException($"{directory}: no vocab.txt or tokenizer.json for a WordPiece tokenizer.");
    }

    private static WordPieceTextTokenizer FromTokenizerJson(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var model = root["model"]?.AsObject() ?? throw new InvalidDataException($"{path}: no \"model\" section.");
        if (model["type"]?.GetValue<string>() != "WordPiece")
            throw new InvalidDataException($"{path}: model type is {model["type"]?.ToJsonString() ?? "missing"}, expected WordPiece.");
        var vocabObj = model["vocab"]!.AsObject();
        var vocab = new string[vocabObj.Count];
        foreach (var (token, id) in vocabObj) vocab[id!.GetValue<int>()] = token;
        var normalizer = root["normalizer"] as JsonObject;
        var lower = normalizer?["lowercase"]?.GetValue<bool>() ?? true;
        var strip = normalizer?["strip_accents"] is JsonValue v ? v.GetValue<bool>() : lower;
        var settings = new WordPieceSettings
        {
            LowerCase = lower,
            StripAccents = strip,
            TokenizeChineseChars = normalizer?["handle_chinese_chars"]?.GetValue<bool>() ?? true,
            UnkToken = model["unk_token"]?.GetValue<string>() ?? "[UNK]",
        };
        return Create(vocab, settings);
    }

    public TokenizedText Encode(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _tokenizer.EncodeToIds(text, addSpecialTokens: false);
        var n = Math.Min(ids.Count, Math.Max(0, maxLength - 2));
        var result = new int[n + 2];
        result[0] = ClsId;
        for (var i = 0; i < n; i++) result[i + 1] = ids[i];
        result[^1] = SepId;
        return new TokenizedText(result, new int[result.Length]);
    }

    public TokenizedText EncodePair(string first, string second, int maxLength)
    {
        var a = _tokenizer.EncodeToIds(first, addSpecialTokens: false);
        var b = _tokenizer.EncodeToIds(second, addSpecialTokens: false);
        var (na, nb) = TruncatingPair.Lengths(a.Count, b.Count, maxLength - 3);
        var ids = new int[na + nb + 3];
        var types = new int[ids.Length];
        ids[0] = ClsId;
        for (var i = 0; i < na; i++) ids[1 + i] = a[i];
        ids[na + 1] = SepId;
        for (var i = 0; i < nb; i++)
        {
            ids[na + 2 + i] = b[i];
            types[na + 2 + i] = 1;
        }
        ids[^1] = SepId;
        types[^1] = 1;
        return new TokenizedText(ids, types);
    }

    /// <summary>Token strings of the ids (for inspection and tests).</summary>
    public IReadOnlyList<string> Tokens(IEnumerable<int> ids) => ids.Select(i => _vocab[i]).ToList();

    /// <summary>Writes vocab.txt, tokenizer_config.json and special_tokens_map.json, as Hugging Face's BertTokenizer saves.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteText(Path.Combine(directory, "vocab.txt"), w =>
        {
            foreach (var token in _vocab) { w.Write(token); w.Write('\n'); }
        });
        var s = Settings;
        var options = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = s.LowerCase,
            ["tokenize_chinese_chars"] = s.TokenizeChineseChars,
            ["strip_accents"] = s.StripAccents,
            ["unk_token"] = s.UnkToken,
            ["cls_token"] = s.ClsToken,
            ["sep_token"] = s.SepToken,
            ["pad_token"] = s.PadToken,
            ["mask_token"] = s.MaskToken,
            ["model_max_length"] = 512,
        }.ToJsonString(options) + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, "special_tokens_map.json"), new JsonObject
        {
            ["unk_token"] = s.UnkToken,
            ["cls_token"] = s.ClsToken,
            ["sep_token"] = s.SepToken,
            ["pad_token"] = s.PadToken,
            ["mask_token"] = s.MaskToken,
        }.ToJsonString(options) + "\n");
        AtomicFile.WriteAllText(Path.Combine(directory, "tokenizer.json"), TokenizerJson().ToJsonString() + "\n");
    }

    /// <summary>The same tokenizer in Hugging Face's tokenizer.json layout (BertNormalizer, BertPreTokenizer, WordPiece, [CLS]/[SEP] template).</summary>
    private JsonObject TokenizerJson()
    {
        var s = Settings;
        var vocab = new JsonObject();
        for (var i = 0; i < _vocab.Length; i++) vocab[_vocab[i]] = i;
        JsonObject Special(string token) => new()
        {
            ["id"] = Array.IndexOf(_vocab, token), ["content"] = token, ["single_word"] = false, ["lstrip"] = false,
            ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
        };
        JsonObject Piece(string id, int type) => new() { ["SpecialToken"] = new JsonObject { ["id"] = id, ["type_id"] = type } };
        JsonObject Seq(string id, int type) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = type } };
        JsonObject SpecialEntry(string token) => new() { ["id"] = token, ["ids"] = new JsonArray(Array.IndexOf(_vocab, token)), ["tokens"] = new JsonArray(token) };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(new[] { s.PadToken, s.UnkToken, s.ClsToken, s.SepToken, s.MaskToken }
                .Where(t => Array.IndexOf(_vocab, t) >= 0).OrderBy(t => Array.IndexOf(_vocab, t)).Select(t => (JsonNode)Special(t)).ToArray()),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer", ["clean_text"] = true, ["handle_chinese_chars"] = s.TokenizeChineseChars,
                ["strip_accents"] = s.StripAccents, ["lowercase"] = s.LowerCase,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Piece(s.ClsToken, 0), Seq("A", 0), Piece(s.SepToken, 0)),
                ["pair"] = new JsonArray(Piece(s.ClsToken, 0), Seq("A", 0), Piece(s.SepToken, 0), Seq("B", 1), Piece(s.SepToken, 1)),
                ["special_tokens"] = new JsonObject { [s.ClsToken] = SpecialEntry(s.ClsToken), [s.SepToken] = SpecialEntry(s.SepToken) },
            },
            ["decoder"] = new JsonObject { ["type"] = "WordPiece", ["prefix"] = "##", ["cleanup"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece", ["unk_token"] = s.UnkToken, ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = 100, ["vocab"] = vocab,
            },
        };
    }
}
