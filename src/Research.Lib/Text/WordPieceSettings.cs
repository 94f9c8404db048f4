using System.Text.Json.Nodes;
using Research.Lib.IO;

namespace Research.Lib.Text;

/// <summary>
/// How a WordPiece checkpoint normalizes text. Defaults are Hugging Face BertTokenizer's: lower-case on,
/// accents stripped when lower-casing (strip_accents unset), every CJK character its own token.
/// </summary>
public sealed record WordPieceSettings
{
    public bool LowerCase { get; init; } = true;
    public bool StripAccents { get; init; } = true;
    public bool TokenizeChineseChars { get; init; } = true;
    public string UnkToken { get; init; } = "[UNK]";
    public string ClsToken { get; init; } = "[CLS]";
    public string SepToken { get; init; } = "[SEP]";
    public string PadToken { get; init; } = "[PAD]";
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>
    /// Tokens matched in the raw text before normalization and kept whole (Hugging Face's added tokens): "[SEP]" or
    /// "[MASK]" written in a text become their ids instead of "[", "sep", "]". Null: the special tokens above.
    /// </summary>
    public IReadOnlyList<string>? AddedTokens { get; init; }

    /// <summary>The added tokens in effect: <see cref="AddedTokens"/>, or the five special tokens.</summary>
    public IReadOnlyList<string> EffectiveAddedTokens => AddedTokens ?? [UnkToken, SepToken, PadToken, ClsToken, MaskToken];

    /// <summary>Reads do_lower_case, strip_accents (null means: same as do_lower_case), tokenize_chinese_chars and the special tokens.</summary>
    public static WordPieceSettings FromTokenizerConfig(string path)
    {
        var json = JsonFile.Parse(path).AsObject();
        var lower = json["do_lower_case"]?.GetValue<bool>() ?? true;
        string Token(string name, string fallback) => json[name] switch
        {
            JsonValue v => v.GetValue<string>(),
            JsonObject o => o["content"]?.GetValue<string>() ?? fallback,
            _ => fallback,
        };
        return new WordPieceSettings
        {
            LowerCase = lower,
            StripAccents = json["strip_accents"] is JsonValue s ? s.GetValue<bool>() : lower,
            TokenizeChineseChars = json["tokenize_chinese_chars"]?.GetValue<bool>() ?? true,
            UnkToken = Token("unk_token", "[UNK]"),
            ClsToken = Token("cls_token", "[CLS]"),
            SepToken = Token("sep_token", "[SEP]"),
            PadToken = Token("pad_token", "[PAD]"),
            MaskToken = Token("mask_token", "[MASK]"),
        };
    }
}
