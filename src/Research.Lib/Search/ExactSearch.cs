using Research.Lib.Modeling;
using Research.Lib.Tensors;
using static TorchSharp.torch;

namespace Research.Lib.Search;

/// <summary>
/// Exact inner-product top-k (cosine when the vectors are normalized) with TorchSharp: query blocks × document
/// blocks, a running top-k merged block by block, so memory stays at one block of scores — never a full
/// queries × documents matrix. Runs on the CPU or a CUDA device. Ties keep the lower document index first.
/// </summary>
public static class ExactSearch
{
    public static (int[][] Indices, float[][] Scores) TopK(EmbeddingMatrix queries, EmbeddingMatrix documents, int k,
        Device? device = null, int queryBlock = 256, int documentBlock = 65_536)
    {
        ArgumentNullException.ThrowIfNull(documents);
        using var noGrad = no_grad();
        using var docs = tensor(documents.Data, [documents.Rows, documents.Dimension], device: device ?? CPU); // (docs, dim)
        return TopK(queries, docs, k, queryBlock, documentBlock);
    }

    /// <summary>Top-k against documents already on the device as a (docs, dim) float32 tensor (kept by <see cref="ExactIndex"/>).</summary>
    public static (int[][] Indices, float[][] Scores) TopK(EmbeddingMatrix queries, Tensor docs, int k, int queryBlock = 256, int documentBlock = 65_536)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(docs);
        var rows = (int)docs.shape[0];
        if (queries.Dimension != docs.shape[1])
            throw new ArgumentException($"Query dimension {queries.Dimension} differs from document dimension {docs.shape[1]}.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        k = Math.Min(k, rows);
        var indices = new int[queries.Rows][];
        var scores = new float[queries.Rows][];
        if (k == 0) { Array.Fill(indices, Array.Empty<int>()); Array.Fill(scores, Array.Empty<float>()); return (indices, scores); }
        var device = docs.device;
        using var noGrad = no_grad();
        for (var q0 = 0; q0 < queries.Rows; q0 += queryBlock)
        {
            using var scope = NewDisposeScope();
            var nq = Math.Min(queryBlock, queries.Rows - q0);
            var q = tensor(queries.Data.AsSpan(q0 * queries.Dimension, nq * queries.Dimension).ToArray(), [nq, queries.Dimension], device: device); // (nq, dim)
            Tensor? bestScores = null, bestIndices = null;
            try
            {
                for (var d0 = 0; d0 < rows; d0 += documentBlock)
                {
                    // One scope per document block: only the running top-k survives it, so memory stays at one block of scores.
                    using var blockScope = NewDisposeScope();
                    var nd = Math.Min(documentBlock, rows - d0);
                    var block = q.mm(docs.narrow(0, d0, nd).t());                              // (nq, nd)
                    var (s, i) = block.topk(Math.Min(k, nd), dim: 1, largest: true, sorted: true);
                    i = i.Plus(d0);
                    Tensor nextScores, nextIndices;
                    if (bestScores is null)
                    {
                        (nextScores, nextIndices) = (s, i);
                    }
                    else
                    {
                        var allScores = cat([bestScores, s], 1);                               // (nq, <= 2k)
                        var allIndices = cat([bestIndices!, i], 1);
                        var (ms, mi) = allScores.topk(k, dim: 1, largest: true, sorted: true);
                        (nextScores, nextIndices) = (ms, allIndices.gather(1, mi));
                    }
                    bestScores?.Dispose();
                    bestIndices?.Dispose();
                    bestScores = nextScores.DetachFromDisposeScope();
                    bestIndices = nextIndices.DetachFromDisposeScope();
                }
            }
            catch
            {
                bestScores?.Dispose();
                bestIndices?.Dispose();
                throw;
            }
            using var finalScores = bestScores!;
            using var finalIndices = bestIndices!;
            var sc = finalScores.cpu().contiguous().data<float>().ToArray();
            var ix = finalIndices.cpu().contiguous().data<long>().ToArray();
            var width = (int)finalScores.shape[1];
            for (var r = 0; r < nq; r++)
            {
                scores[q0 + r] = sc.AsSpan(r * width, width).ToArray();
                indices[q0 + r] = ix.AsSpan(r * width, width).ToArray().Select(x => (int)x).ToArray();
            }
        }
        return (indices, scores);
    }
}
