using Research.Lib.IO;
namespace Research.Lib.Data;

/// <summary>One record a lenient read skipped, and why.</summary>
public sealed record SkippedRecord(string FilePath, long LineNumber, string? Field, string Reason)
{
    public override string ToString() => DataFormatException.Format(FilePath, LineNumber, Field, Reason);
}
