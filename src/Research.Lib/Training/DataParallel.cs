using Research.Lib.Devices;
using Research.Lib.Modeling;
using Research.Lib.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Training;

/// <summary>
/// Data-parallel training inside one process (the seed's multi-GPU training): one replica of the model per device, each
/// embedding a contiguous slice of the batch's queries and passages; the embeddings are gathered on the first device
/// (with their autograd history), so every query sees every device's passages as negatives with the right labels; one
/// backward sends each replica its share of the gradient; the replicas' gradients are summed into the first replica
/// (the loss is over the whole batch, so the sum is its gradient), the optimizer steps there, and the weights are copied
/// back to the other replicas, which stay identical. In-process replicas rather than one process per device: .NET has no
/// global interpreter lock, so one process drives every device from its own threads without inter-process gathering.
/// On CPU "devices" the replicas run one after the other (they would share one random generator and one thread pool).
/// </summary>
internal sealed class DataParallel : IDisposable
{
    private readonly SentenceEncoder _primary;
    private readonly List<SentenceEncoder> _replicas = [];

    public DataParallel(SentenceEncoder primary, IReadOnlyList<DeviceSpec> extraDevices, string modelDirectoryForCopies)
    {
        _primary = primary;
        foreach (var device in extraDevices)
        {
            var replica = SentenceEncoder.Load(modelDirectoryForCopies, device);
            replica.Model.to(primary.Model.parameters().First().dtype); // the primary's precision
            _replicas.Add(replica);
        }
        Synchronize();
        foreach (var r in _replicas)
        {
            r.Model.ComputeType = primary.Model.ComputeType; // the primary's mixed precision
            r.Model.train();
        }
    }

    public IReadOnlyList<SentenceEncoder> All => [_primary, .. _replicas];

    /// <summary>Embeddings of <paramref name="texts"/>, sliced over the replicas and gathered on the primary's device.</summary>
    public Tensor Forward(IReadOnlyList<string> texts, int maxLength)
    {
        var all = All;
        var parts = new Tensor[all.Count];
        void Run(int i)
        {
            var (from, to) = new Data.ShardSpec(i, all.Count).Range(texts.Count);
            var encoder = all[i];
            var slice = texts.Skip(from).Take(to - from).ToList();
            var batch = encoder.Tokenize(slice, maxLength);
            parts[i] = encoder.Forward(batch).to(_primary.Device);
        }
        if (all.All(e => e.Device.type == DeviceType.CPU))
            for (var i = 0; i < all.Count; i++) Run(i);
        else
            Task.WaitAll(Enumerable.Range(0, all.Count).Select(i => Task.Run(() => Run(i))).ToArray());
        return cat(parts, 0);
    }

    /// <summary>Adds every replica's gradients into the primary's and clears theirs.</summary>
    public void ReduceGradients()
    {
        using var noGrad = no_grad();
        var primary = _primary.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var replica in _replicas)
            foreach (var (name, p) in replica.Model.named_parameters())
            {
                if (p.grad is null) continue;
                var target = primary[name];
                if (target.grad is null) target.grad = p.grad.to(_primary.Device).clone();
                else target.grad.PlusInPlace(p.grad.to(_primary.Device));
                p.grad.zero_();
            }
    }

    /// <summary>Copies the primary's weights to every replica.</summary>
    public void Synchronize()
    {
        using var noGrad = no_grad();
        var primary = _primary.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var replica in _replicas)
            foreach (var (name, p) in replica.Model.named_parameters())
                p.copy_(primary[name]);
    }

    public void Dispose()
    {
        foreach (var r in _replicas) r.Dispose();
    }
}
