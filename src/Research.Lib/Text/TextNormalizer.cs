using System.Text;

namespace Research.Lib.Text;

/// <summary>The text form under which two strings count as the same (exact-duplicate detection, "never a positive as a negative").</summary>
public static class TextNormalizer
{
    /// <summary>NFKC (full-width → half-width, compatibility forms), lower-case, whitespace runs → one space, trimmed.</summary>
    public static string ForComparison(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var nfkc = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var sb = new StringBuilder(nfkc.Length);
        var space = false;
        foreach (var ch in nfkc)
        {
            if (char.IsWhiteSpace(ch))
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(ch);
        }
        return sb.ToString();
    }
}
