using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Text;

/// <summary>
/// Tokenized inputs padded on the right to the longest in the batch, as flat row-major arrays ready to become
/// (batch, seq) int64 tensors: ids, attention mask (1 token, 0 padding) and segment ids.
/// </summary>
public sealed class TokenBatch
{
    private TokenBatch(long[] ids, long[] mask, long[] typeIds, int count, int length)
    {
        Ids = ids;
        Mask = mask;
        TypeIds = typeIds;
        Count = count;
        Length = length;
    }

    public long[] Ids { get; }
    public long[] Mask { get; }
    public long[] TypeIds { get; }
    public int Count { get; }
    public int Length { get; }

    /// <summary>Number of real (non-padding) tokens.</summary>
    public long TokenCount => Mask.Sum();

    public static TokenBatch Pad(IReadOnlyList<TokenizedText> items, int padId)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("A batch needs at least one input.", nameof(items));
        var length = items.Max(t => t.Length);
        var ids = new long[items.Count * length];
        var mask = new long[ids.Length];
        var types = new long[ids.Length];
        Array.Fill(ids, padId);
        for (var r = 0; r < items.Count; r++)
        {
            var t = items[r];
            var offset = r * length;
            for (var i = 0; i < t.Length; i++)
            {
                ids[offset + i] = t.Ids[i];
                mask[offset + i] = 1;
                types[offset + i] = t.TypeIds[i];
            }
        }
        return new TokenBatch(ids, mask, types, items.Count, length);
    }

    /// <summary>
    /// (ids, mask, type ids) as (batch, seq) int64 tensors on <paramref name="device"/>. On a GPU the three arrays travel
    /// as one pinned host tensor with one asynchronous copy, so the upload never waits for the work already queued on the
    /// device (a plain copy from pageable memory synchronizes the stream, which left the GPU idle between batches).
    /// </summary>
    public (Tensor Ids, Tensor Mask, Tensor TypeIds) ToTensors(Device? device = null)
    {
        long[] shape = [Count, Length];
        if (device is null || device.type != DeviceType.CUDA)
            return (torch.tensor(Ids, shape, device: device), torch.tensor(Mask, shape, device: device), torch.tensor(TypeIds, shape, device: device));
        var all = new long[3 * Ids.LongLength];
        Ids.CopyTo(all, 0);
        Mask.CopyTo(all, Ids.LongLength);
        TypeIds.CopyTo(all, 2 * Ids.LongLength);
        using var host = torch.tensor(all, [3, Count, Length]);
        using var pinned = host.pin_memory();
        using var onDevice = pinned.to(device, non_blocking: true);                  // (3, batch, seq)
        return (onDevice[0], onDevice[1], onDevice[2]);
    }
}
