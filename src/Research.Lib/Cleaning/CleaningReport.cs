using System.Globalization;
using Research.Lib.IO;

namespace Research.Lib.Cleaning;

/// <summary>The cleaning reports as TSV files (1-based line numbers of the input, tabs and newlines in texts replaced by spaces), written atomically.</summary>
public static class CleaningReport
{
    public static void WriteDropped(string path, IReadOnlyList<DroppedQuery> dropped)
    {
        ArgumentNullException.ThrowIfNull(dropped);
        AtomicFile.WriteText(path, w =>
        {
            w.Write("line\tquery\tkept_line\tkept_query\tcosine\tgroup_size\treason\n");
            foreach (var d in dropped)
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{d.Index + 1}\t{Tsv(d.Query)}\t{d.KeptIndex + 1}\t{Tsv(d.KeptQuery)}\t{d.Cosine:0.####}\t{d.GroupSize}\t{d.Reason}\n"));
        });
    }

    public static void WriteLeakage(string path, IReadOnlyList<LeakageFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        AtomicFile.WriteText(path, w =>
        {
            w.Write("cleaned_line\ttrain_query\tkind\teval_text\tcosine\n");
            foreach (var l in findings)
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{l.Index + 1}\t{Tsv(l.TrainQuery)}\t{l.Kind}\t{Tsv(l.EvalText)}\t{l.Cosine:0.####}\n"));
        });
    }

    private static string Tsv(string text) => text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
