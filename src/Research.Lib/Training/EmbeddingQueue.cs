using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// A first-in-first-out queue of embeddings (MoCo, He et al. 2020; ESimCSE's queue of momentum-encoder embeddings): new
/// rows go to the end, and once more than <see cref="Capacity"/> rows are held the oldest are dropped. Rows are stored
/// detached. ESimCSE's default capacity is 160 for batch 64 (2.5 × the batch; caskcsg/sentemb ESimCSE/run.sh).
/// </summary>
public sealed class EmbeddingQueue(int capacity) : IDisposable
{
    private Tensor? _rows;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The queue capacity must be positive.");

    public int Count => _rows is null ? 0 : (int)_rows.shape[0];

    /// <summary>The rows, oldest first (batch·k, dim), or null while empty. Owned by the queue.</summary>
    public Tensor? Rows => _rows;

    /// <summary>Appends (n, dim) rows (detached copies) and drops the oldest beyond the capacity.</summary>
    public void Enqueue(Tensor rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var scope = NewDisposeScope();
        var next = _rows is null ? rows.detach().clone() : cat([_rows, rows.detach()], 0);
        if (next.shape[0] > Capacity) next = next.narrow(0, next.shape[0] - Capacity, Capacity).clone();
        _rows?.Dispose();
        _rows = next.DetachFromDisposeScope(); // owned by the queue, whatever scope the caller runs in
    }

    public void Clear()
    {
        _rows?.Dispose();
        _rows = null;
    }

    public void Dispose() => Clear();
}
