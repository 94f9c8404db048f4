namespace Research.Lib.Search;

/// <summary>
/// The ranking rule every metric uses, trec_eval's: higher score first; equal scores by document id in
/// descending ordinal order. The rank a run file states is ignored, as trec_eval ignores it, so a result can be
/// re-checked with trec_eval and agree.
/// </summary>
public static class RankingOrder
{
    public static List<ScoredDocument> Sort(IEnumerable<ScoredDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var list = documents.ToList();
        list.Sort(static (a, b) =>
        {
            var byScore = b.Score.CompareTo(a.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(b.DocId, a.DocId);
        });
        return list;
    }
}
