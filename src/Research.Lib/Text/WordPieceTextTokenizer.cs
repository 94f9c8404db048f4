using System.Text.Json;
using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Text;

/// <summary>
/// BERT WordPiece tokenization (bert-base-chinese, bge-*-zh, text2vec): clean text, optionally lower-case and
/// strip accents, split punctuation and every CJK character, then greedy longest-match WordPiece with
/// <c>##</c> continuations. Built on Microsoft.ML.Tokenizers' BertTokenizer; settings come from the
/// checkpoint (<c>tokenizer_config.json</c> or <c>tokenizer.json</c>), as Hugging Face applies them. Ids equal
/// Hugging Face tokenizers' on the parity test's strings (see TokenizerParityTests).
/// </summary>
public sealed class WordPieceTextTokenizer : ITextTokenizer
{
    private const int MaxCharsPerWord = 100;
    private readonly string[] _vocab;
    private readonly Dictionary<string, int> _ids;
    private readonly int _unkId;

    private WordPieceTextTokenizer(string[] vocab, WordPieceSettings settings)
    {
        _vocab = vocab;
        Settings = settings;
        _ids = new Dictionary<string, int>(vocab.Length, StringComparer.Ordinal);
        for (var i = 0; i < vocab.Length; i++) _ids.TryAdd(vocab[i], i);
        _unkId = _ids[settings.UnkToken];
        ClsId = _ids[settings.ClsToken];
        SepId = _ids[settings.SepToken];
        PadId = _ids[settings.PadToken];
        MaskId = _ids.TryGetValue(settings.MaskToken, out var mask) ? mask : null;
        SpecialIds = new HashSet<int>(new[] { _unkId, ClsId, SepId, PadId }.Concat(MaskId is { } m ? [m] : []));
        // Longest first, so that of two added tokens starting at one place the longer wins.
        _addedTokens = settings.EffectiveAddedTokens.Where(t => t.Length > 0 && _ids.ContainsKey(t)).Distinct(StringComparer.Ordinal)
            .OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal).ToArray();
    }

    private readonly string[] _addedTokens;

    public string Kind => "wordpiece";

    public int VocabSize => _vocab.Length;

    public int PadId { get; }

    public int ClsId { get; }

    public int? MaskId { get; }

    public IReadOnlySet<int> SpecialIds { get; }

    public int SepId { get; }

    public WordPieceSettings Settings { get; }

    /// <summary>vocab.txt lines (UTF-8, LF or CRLF; a trailing empty line dropped).</summary>
    public static List<string> VocabLines(byte[] bytes)
    {
        var text = new System.Text.UTF8Encoding(false, true).GetString(bytes);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

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
        var root = JsonFile.Parse(path).AsObject();
        var model = root["model"]?.AsObject() ?? throw new InvalidDataException($"{path}: no \"model\" section.");
        if (model["type"]?.GetValue<string>() != "WordPiece")
            throw new InvalidDataException($"{path}: model type is {model["type"]?.ToJsonString() ?? "missing"}, expected WordPiece.");
        var vocabObj = model["vocab"]!.AsObject();
        var vocab = new string[vocabObj.Count];
        foreach (var (token, id) in vocabObj) vocab[id!.GetValue<int>()] = token;
        var normalizer = root["normalizer"] as JsonObject;
        var lower = normalizer?["lowercase"]?.GetValue<bool>() ?? true;
        var strip = normalizer?["strip_accents"] is JsonValue v ? v.GetValue<bool>() : lower;
        var added = root["added_tokens"] is JsonArray list
            ? list.OfType<JsonObject>().Select(t => t["content"]?.GetValue<string>()).Where(t => t is not null).Select(t => t!).ToList()
            : null;
        var settings = new WordPieceSettings
        {
            LowerCase = lower,
            StripAccents = strip,
            TokenizeChineseChars = normalizer?["handle_chinese_chars"]?.GetValue<bool>() ?? true,
            UnkToken = model["unk_token"]?.GetValue<string>() ?? "[UNK]",
            AddedTokens = added,
        };
        return Create(vocab, settings);
    }

    public TokenizedText Encode(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = ContentIds(text);
        var n = Math.Min(ids.Count, Math.Max(0, maxLength - 2));
        var result = new int[n + 2];
        result[0] = ClsId;
        for (var i = 0; i < n; i++) result[i + 1] = ids[i];
        result[^1] = SepId;
        return new TokenizedText(result, new int[result.Length]);
    }

    public TokenizedText EncodePair(string first, string second, int maxLength)
    {
        var a = ContentIds(first);
        var b = ContentIds(second);
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

    /// <summary>Ids of a text without special tokens: pre-tokenize, then greedy longest-match WordPiece per word.</summary>
    public List<int> ContentIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        var start = 0;
        while (start < text.Length)
        {
            var (at, token) = NextAddedToken(text, start);
            foreach (var word in BertPreTokenizer.Split(text[start..at], Settings))
                AppendWordPieces(word, ids);
            if (token is null) break;
            ids.Add(_ids[token]);
            start = at + token.Length;
        }
        return ids;
    }

    /// <summary>The leftmost added token at or after <paramref name="from"/> (the longest where several start there), or (length, null).</summary>
    private (int At, string? Token) NextAddedToken(string text, int from)
    {
        var best = (At: text.Length, Token: (string?)null);
        foreach (var token in _addedTokens)
        {
            var at = text.IndexOf(token, from, StringComparison.Ordinal);
            if (at >= 0 && (at < best.At || (at == best.At && token.Length > best.Token!.Length))) best = (at, token);
        }
        return best;
    }

    private void AppendWordPieces(string word, List<int> ids)
    {
        var runes = 0;
        foreach (var _ in word.EnumerateRunes()) runes++;
        if (runes > MaxCharsPerWord)
        {
            ids.Add(_unkId);
            return;
        }
        var mark = ids.Count;
        var start = 0;
        while (start < word.Length)
        {
            var end = word.Length;
            var found = -1;
            while (end > start)
            {
                var piece = start == 0 ? word[start..end] : "##" + word[start..end];
                if (_ids.TryGetValue(piece, out var id))
                {
                    found = id;
                    break;
                }
                end--;
                if (end > start && char.IsLowSurrogate(word[end])) end--; // never split a surrogate pair
            }
            if (found < 0)
            {
                ids.RemoveRange(mark, ids.Count - mark);
                ids.Add(_unkId);
                return;
            }
            ids.Add(found);
            start = end;
        }
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
            ["id"] = Array.IndexOf(_vocab, token),
            ["content"] = token,
            ["single_word"] = false,
            ["lstrip"] = false,
            ["rstrip"] = false,
            ["normalized"] = false,
            ["special"] = true,
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
                ["type"] = "BertNormalizer",
                ["clean_text"] = true,
                ["handle_chinese_chars"] = s.TokenizeChineseChars,
                ["strip_accents"] = s.StripAccents,
                ["lowercase"] = s.LowerCase,
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
                ["type"] = "WordPiece",
                ["unk_token"] = s.UnkToken,
                ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = 100,
                ["vocab"] = vocab,
            },
        };
    }
}
