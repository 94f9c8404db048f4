using Research.Lib.IO;
namespace Research.Lib.Data;

/// <summary>How readers treat a bad record.</summary>
public enum ReadMode
{
    /// <summary>Stop at the first bad record with a <see cref="DataFormatException"/> (the default).</summary>
    Strict,

    /// <summary>Skip bad records, recording each one (line and reason) in a <see cref="SkipReport"/>.</summary>
    Lenient,
}
