namespace Research.Lib.Text;

/// <summary>One tokenized input with its special tokens: token ids and segment (token type) ids, same length.</summary>
public sealed record TokenizedText(int[] Ids, int[] TypeIds)
{
    public int Length => Ids.Length;
}
