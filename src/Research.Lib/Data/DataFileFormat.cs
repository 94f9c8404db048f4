namespace Research.Lib.Data;

/// <summary>The data layouts the kit reads (<see cref="DataFileValidator"/>); Auto detects one from the path.</summary>
public enum DataFileFormat
{
    Auto,
    Train,
    Eval,
    Pairs,
    Csv,
    Sentences,
    Beir,
}
