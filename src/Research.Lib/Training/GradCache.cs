using Research.Lib.Modeling;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// Gradient caching (Gao et al. 2021, "Scaling Deep Contrastive Learning Batch Size under Memory Limited Setup"): the
/// gradients of a loss over a large batch of embeddings in the memory of one small chunk. (1) Embed every chunk
/// without a graph; (2) compute the loss on all embeddings as leaf tensors and back-propagate to them, caching
/// d loss / d embedding; (3) embed each chunk again with a graph and back-propagate the cached gradient through it.
/// The dropout masks of (1) are replayed in (3) by seeding each chunk's forward the same, so both passes see the same
/// network. The parameter gradients equal those of the plain loss on the whole batch (exactly, without dropout).
/// </summary>
public static class GradCache
{
    /// <summary>Accumulates the parameter gradients of <paramref name="loss"/>(queries, passages) and returns the loss value and the (detached) embeddings.</summary>
    public static (float Loss, Tensor Queries, Tensor Passages) Backward(SentenceEncoder encoder, IReadOnlyList<string> queries, IReadOnlyList<string> passages,
        Func<Tensor, Tensor, Tensor> loss, int chunkSize, int queryMaxLength, int passageMaxLength, long seed)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        var queryChunks = Chunks(queries, chunkSize);
        var passageChunks = Chunks(passages, chunkSize);

        // (1) Embeddings without a graph, each chunk's dropout seeded by its position.
        Tensor EmbedAll(List<List<string>> chunks, int maxLength, long offset)
        {
            using var noGrad = no_grad();
            var parts = chunks.Select((c, i) => { manual_seed(seed + offset + i); return encoder.Forward(encoder.Tokenize(c, maxLength)); }).ToList();
            return cat(parts, 0);
        }
        var q = EmbedAll(queryChunks, queryMaxLength, 0).detach().requires_grad_(true);
        var p = EmbedAll(passageChunks, passageMaxLength, 1_000_003).detach().requires_grad_(true);

        // (2) The loss on the whole batch of embeddings, and its gradient with respect to each embedding.
        var value = loss(q, p);
        value.backward();
        var lossValue = value.to_type(ScalarType.Float32).item<float>();
        var qGrad = q.grad!.detach();
        var pGrad = p.grad!.detach();

        // (3) Each chunk again, with a graph, the same dropout, and the cached gradient.
        void Replay(List<List<string>> chunks, Tensor grad, int maxLength, long offset)
        {
            var start = 0L;
            for (var i = 0; i < chunks.Count; i++)
            {
                using var scope = NewDisposeScope();
                manual_seed(seed + offset + i);
                var embedded = encoder.Forward(encoder.Tokenize(chunks[i], maxLength));
                embedded.backward([grad.narrow(0, start, chunks[i].Count)]);
                start += chunks[i].Count;
            }
        }
        Replay(queryChunks, qGrad, queryMaxLength, 0);
        Replay(passageChunks, pGrad, passageMaxLength, 1_000_003);
        return (lossValue, q.detach(), p.detach());
    }

    private static List<List<string>> Chunks(IReadOnlyList<string> texts, int size) =>
        Enumerable.Range(0, (texts.Count + size - 1) / size).Select(i => texts.Skip(i * size).Take(size).ToList()).ToList();

}
