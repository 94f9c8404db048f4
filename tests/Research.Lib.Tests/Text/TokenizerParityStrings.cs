using Research.Lib.Data;

namespace Research.Lib.Tests.Text;

/// <summary>
/// Strings for tokenizer parity: hand-picked hard cases (emoji, odd whitespace, accents, full-width forms,
/// control and zero-width characters, long words) plus toy-data queries in mixed-up variants.
/// </summary>
internal static class TokenizerParityStrings
{
    private static readonly string[] Hard =
    [
        "", " ", "Hello, World!", "HELLO world", "Café naïve résumé Ångström", "ÉCOLE élève", "中文分词测试",
        "复利是什么？", "2023年第3季度营收增长了26%", "iPhone15 Pro Max 售价 7999元", "email: test@example.com",
        "https://example.com/a?b=1&c=2", "C# async/await 和 Task<T>", "  leading and trailing  ", "tabs\tand\nnewlines\r\nhere",
        "non\u00A0breaking\u2003spaces\u3000全角空格", "zero\u200Bwidth\u200Djoiner", "emoji 😀👍🏽🇨🇳 混合", "👨‍👩‍👧 family",
        "ＦＵＬＬ－ＷＩＤＴＨ　ＡＢＣ１２３", "，。！？；：“”‘’（）【】《》", "math: 3.14159 × 2 ≈ 6.28", "a\u0301 e\u0300 combining",
        "control\u0001char\u0007s", "unbelievablyunpronounceablewordthatislongerthananythinginthevocabulary", "x" + new string('y', 120),
        "日本語のテキストとカタカナ", "한국어 텍스트", "Ελληνικά κείμενο", "Русский текст", "العربية", "עברית", "हिन्दी",
        "mixed中English文text", "数字123abc456", "a-b_c.d/e\\f", "...!!!???", "«quotes» and „more“", "$100 €200 ¥300 £400",
        "tab\tseparated\tvalues", "x\u2028line\u2029para", "\uFEFFbom at start", "ﬁ ligature ﬂ", "Ⅻ roman numeral ①②③",
        // Strings nobody tuned to: form feeds and vertical tabs from PDF text, NEL; special tokens written in text.
        "page one\u000Cpage two", "vertical\u000Btab", "next\u0085line", "end of page.\u000C\nNew page",
        "a question [SEP] its answer", "fill the [MASK] here", "glued[SEP]tokens[CLS]x", "[sep] is not special in lower case", "[UNK][PAD] [ MASK ]",
    ];

    public static IReadOnlyList<string> All()
    {
        var list = new List<string>(Hard);
        var queries = TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).Select(e => e.Query).Distinct().Take(60).ToList();
        var passages = TrainingExampleReader.Read(Path.Combine(TestPaths.ToyData, "toy_source.json")).Select(e => e.Pos[0]).Distinct().Take(40).ToList();
        for (var i = 0; i < queries.Count; i++)
        {
            var q = queries[i];
            list.Add(q);
            list.Add((i % 3) switch { 0 => q.ToUpperInvariant() + " 😀", 1 => "  " + q + "\t\u3000", _ => q.Replace("？", "?") + " 2024" });
        }
        list.AddRange(passages);
        for (var i = 0; i < 20; i++)
            list.Add($"{queries[i]} {passages[i]} {Hard[(i * 7) % Hard.Length]}");
        return list;
    }
}
