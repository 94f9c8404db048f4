namespace Research.Lib.IO;

/// <summary>One line of a text file: its 1-based number and its UTF-8 bytes, without the line end.</summary>
/// <remarks>The bytes are only valid until the reader moves to the next line.</remarks>
public readonly record struct TextLine(long Number, ReadOnlyMemory<byte> Bytes)
{
    public bool IsBlank
    {
        get
        {
            foreach (var b in Bytes.Span)
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                    return false;
            return true;
        }
    }
}
