namespace Research.Cli.Commands;

/// <summary>The data layouts the CLI can validate.</summary>
internal enum DataFormat
{
    Auto,
    Train,
    Eval,
    Pairs,
    Csv,
    Sentences,
    Beir,
}
