using System.Globalization;
using System.Text;

namespace Research.Lib.Text;

/// <summary>
/// BERT's text normalization and pre-tokenization, step for step as Hugging Face tokenizers' BertNormalizer
/// and BertPreTokenizer do it: drop NUL, U+FFFD and control/format/unassigned/private-use characters (all but tab,
/// newline and carriage return, even those .NET calls whitespace); map every whitespace character to a space; put spaces around CJK ideographs; strip accents (NFD, drop non-spacing
/// marks); lower-case; then split on whitespace and isolate each punctuation character (ASCII punctuation and
/// symbols, and Unicode P* categories).
/// </summary>
/// <remarks>
/// Written here rather than taken from Microsoft.ML.Tokenizers' BertTokenizer, which (2.0.1, measured against
/// Hugging Face tokenizers on 224 strings) deletes tabs instead of splitting on them, drops symbols such as
/// '$', '×' and emoji instead of emitting [UNK], and does not split on '_'.
/// </remarks>
internal static class BertPreTokenizer
{
    public static List<string> Split(string text, WordPieceSettings settings)
    {
        var normalized = Normalize(text, settings);
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var rune in normalized.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                Flush();
            }
            else if (IsPunctuation(rune))
            {
                Flush();
                words.Add(rune.ToString());
            }
            else
            {
                word.Append(rune.ToString());
            }
        }
        Flush();
        return words;

        void Flush()
        {
            if (word.Length > 0) words.Add(word.ToString());
            word.Clear();
        }
    }

    public static string Normalize(string text, WordPieceSettings settings)
    {
        var sb = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is 0 or 0xFFFD) continue;
            // Tab, newline and carriage return are whitespace; every other control character is dropped before the
            // whitespace test, as Hugging Face does: U+000B, U+000C (form feeds in text from PDFs) and U+0085 vanish.
            if (rune.Value is '\t' or '\n' or '\r')
            {
                sb.Append(' ');
                continue;
            }
            if (IsControl(rune)) continue;
            if (Rune.IsWhiteSpace(rune))
            {
                sb.Append(' ');
                continue;
            }
            if (settings.TokenizeChineseChars && WordPieceVocabBuilder.IsCjk(rune.Value))
                sb.Append(' ').Append(rune.ToString()).Append(' ');
            else
                sb.Append(rune.ToString());
        }
        var s = sb.ToString();
        if (settings.StripAccents)
        {
            var decomposed = s.Normalize(NormalizationForm.FormD);
            sb.Clear();
            foreach (var rune in decomposed.EnumerateRunes())
                if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
                    sb.Append(rune.ToString());
            s = sb.ToString();
        }
        if (settings.LowerCase)
        {
            sb.Clear();
            foreach (var rune in s.EnumerateRunes())
                sb.Append(Rune.ToLowerInvariant(rune).ToString());
            s = sb.ToString();
        }
        return s;
    }

    private static bool IsControl(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    private static bool IsPunctuation(Rune rune)
    {
        var c = rune.Value;
        if (c is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
            return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }
}
