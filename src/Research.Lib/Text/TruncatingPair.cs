namespace Research.Lib.Text;

/// <summary>Hugging Face's "longest_first" truncation: drop tokens from the longer sequence until both fit.</summary>
internal static class TruncatingPair
{
    public static (int First, int Second) Lengths(int first, int second, int budget)
    {
        if (budget < 0) budget = 0;
        while (first + second > budget)
        {
            if (first > second) first--;
            else second--;
        }
        return (first, second);
    }
}
