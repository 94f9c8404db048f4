using Research.Lib.IO;
namespace Research.Lib.Data;

/// <summary>
/// Options shared by every reader. Strict by default; a lenient read needs a <see cref="SkipReport"/>
/// so that every skipped line is accounted for.
/// </summary>
public sealed record ReadOptions
{
    /// <summary>Strict stops at the first bad record; lenient skips it and records it in <see cref="Report"/>.</summary>
    public ReadMode Mode { get; init; } = ReadMode.Strict;

    /// <summary>Where a lenient read records skipped lines; required when <see cref="Mode"/> is lenient.</summary>
    public SkipReport? Report { get; init; }

    /// <summary>Optional progress sink, told the number of bytes consumed so far (about every 64 KiB).</summary>
    public IProgress<long>? BytesRead { get; init; }

    public static ReadOptions Strict { get; } = new();

    public static ReadOptions Lenient(SkipReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new ReadOptions { Mode = ReadMode.Lenient, Report = report };
    }

    internal void Validate()
    {
        if (Mode == ReadMode.Lenient && Report is null)
            throw new ArgumentException("ReadOptions.Report must be set when Mode is Lenient, so that skipped records are reported.", nameof(Report));
    }

    /// <summary>Throws in strict mode; records the problem in lenient mode.</summary>
    internal void Fail(DataFormatException error)
    {
        if (Mode == ReadMode.Strict)
            throw error;
        Report!.Add(new SkippedRecord(error.FilePath, error.LineNumber, error.Field, error.Reason));
    }
}
