using System.Text.RegularExpressions;

namespace Research.Notebooks;

/// <summary>
/// Splits a C# cell into what Roslyn compiles and the directives Polyglot handles itself: <c>#!</c> magics
/// (dropped), <c>#r "path.dll"</c> and <c>#r "nuget: Name, Version"</c> (returned), <c>#i</c> package sources (dropped).
/// Directive lines become empty lines, so line numbers in errors match the cell.
/// </summary>
internal static partial class CellSource
{
    public static (string Code, List<string> References, List<(string Name, string? Version, int Line)> Packages) Parse(string source)
    {
        var references = new List<string>();
        var packages = new List<(string, string?, int)>();
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("#!", StringComparison.Ordinal) || line.StartsWith("#i ", StringComparison.Ordinal))
            {
                lines[i] = "";
                continue;
            }
            var m = ReferenceDirective().Match(line);
            if (!m.Success) continue;
            var target = m.Groups[1].Value;
            if (target.StartsWith("nuget:", StringComparison.OrdinalIgnoreCase))
            {
                var parts = target[6..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                packages.Add((parts[0], parts.Length > 1 ? parts[1] : null, i + 1));
            }
            else
            {
                references.Add(target);
            }
            lines[i] = "";
        }
        return (string.Join('\n', lines), references, packages);
    }

    [GeneratedRegex("^#r\\s+\"([^\"]+)\"\\s*$")]
    private static partial Regex ReferenceDirective();
}
