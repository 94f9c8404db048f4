using Research.Lib.Data;

namespace Research.Lib.Training;

/// <summary>
/// The duplicate-free batches (<see cref="DuplicateFreeBatcher"/>) of one epoch at a time, shared by the objectives that
/// batch query/passage records: each epoch's order comes from a seed derived from the run's seed and the epoch, so a
/// resumed run repeats it; the last epoch asked for is kept.
/// </summary>
internal sealed class EpochBatches
{
    private readonly IReadOnlyList<TrainingExample> _examples;
    private readonly int _batchSize;
    private readonly ulong _seed;
    private readonly bool _sameType;
    private (int Epoch, List<int[]> Batches)? _cached;

    /// <param name="examples">the records</param>
    /// <param name="batchSize">records per batch</param>
    /// <param name="seed">the run's seed</param>
    /// <param name="sameType">every batch from records of one type (<see cref="DuplicateFreeBatcher.Batches"/>)</param>
    public EpochBatches(IReadOnlyList<TrainingExample> examples, int batchSize, ulong seed, bool sameType = false)
    {
        (_examples, _batchSize, _seed, _sameType) = (examples, batchSize, seed, sameType);
        PerEpoch = DuplicateFreeBatcher.Batches(examples, batchSize, new SplitMix64(seed), sameType).Count;
    }

    /// <summary>The batch count of the seed's own order: the epoch length the schedule is planned with (an epoch's own count is <c>For(epoch).Count</c>).</summary>
    public int PerEpoch { get; }

    /// <summary>Epoch <paramref name="epoch"/>'s batches of record indices.</summary>
    public List<int[]> For(int epoch)
    {
        if (_cached is not { } cached || cached.Epoch != epoch)
            _cached = cached = (epoch, DuplicateFreeBatcher.Batches(_examples, _batchSize, new SplitMix64(SplitMix64.Mix(_seed, (ulong)epoch)), _sameType));
        return cached.Batches;
    }
}
