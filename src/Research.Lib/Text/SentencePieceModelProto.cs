using Research.Lib.IO;

namespace Research.Lib.Text;

/// <summary>
/// The parts of a SentencePiece <c>.model</c> file (a protobuf ModelProto) the kit needs besides what
/// Microsoft.ML.Tokenizers reads: each piece with its score, and the normalization rule's name.
/// Wire format only (field 1: repeated SentencePiece {1: piece, 2: score, 3: type}; field 3: NormalizerSpec {1: name}).
/// </summary>
internal sealed class SentencePieceModelProto
{
    private SentencePieceModelProto(List<(string Piece, float Score)> pieces, string normalizerName)
    {
        Pieces = pieces;
        NormalizerName = normalizerName;
    }

    public IReadOnlyList<(string Piece, float Score)> Pieces { get; }

    /// <summary>e.g. "nmt_nfkc" (XLM-R, bge-m3), "nfkc", "identity".</summary>
    public string NormalizerName { get; }

    public static SentencePieceModelProto Parse(byte[] bytes, string source)
    {
        try
        {
            var pieces = new List<(string, float)>();
            var name = "";
            var reader = new ProtobufReader(bytes, 0, bytes.Length);
            while (reader.More)
            {
                var (field, wire) = reader.Tag();
                if (field == 1 && wire == 2)
                {
                    var (start, end) = reader.Length();
                    var inner = new ProtobufReader(bytes, start, end);
                    string piece = "";
                    float score = 0;
                    while (inner.More)
                    {
                        var (f, w) = inner.Tag();
                        if (f == 1 && w == 2) piece = inner.String();
                        else if (f == 2 && w == 5) score = inner.Float();
                        else inner.Skip(w);
                    }
                    pieces.Add((piece, score));
                }
                else if (field == 3 && wire == 2)
                {
                    var (start, end) = reader.Length();
                    var inner = new ProtobufReader(bytes, start, end);
                    while (inner.More)
                    {
                        var (f, w) = inner.Tag();
                        if (f == 1 && w == 2) name = inner.String();
                        else inner.Skip(w);
                    }
                }
                else
                {
                    reader.Skip(wire);
                }
            }
            return new SentencePieceModelProto(pieces, name);
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException)
        {
            throw new InvalidDataException($"{source}: not a SentencePiece model ({e.Message}).", e);
        }
    }
}
