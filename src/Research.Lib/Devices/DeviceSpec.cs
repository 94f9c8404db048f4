using System.Globalization;
using TorchSharp;

namespace Research.Lib.Devices;

/// <summary>
/// A device request as users write it: <c>cpu</c>, <c>cuda</c> (the first GPU), <c>cuda:N</c>, or <c>auto</c>
/// (the first GPU when CUDA is available, else the CPU). Parsing is pure; <see cref="Resolve"/> checks it
/// against the machine.
/// </summary>
public sealed record DeviceSpec
{
    private DeviceSpec(string kind, int? index)
    {
        Kind = kind;
        Index = index;
    }

    /// <summary>"cpu", "cuda" or "auto".</summary>
    public string Kind { get; }

    /// <summary>The GPU ordinal for <c>cuda:N</c>; null otherwise.</summary>
    public int? Index { get; }

    public static DeviceSpec Cpu { get; } = new("cpu", null);

    public static DeviceSpec Auto { get; } = new("auto", null);

    public static DeviceSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim().ToLowerInvariant();
        if (s is "cpu" or "auto" or "cuda")
            return new DeviceSpec(s, null);
        if (s.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return new DeviceSpec("cuda", index);
        throw new FormatException($"Device '{text}': expected cpu, cuda, cuda:N (N = 0, 1, ...) or auto.");
    }

    /// <summary>
    /// The TorchSharp device for this request. A CUDA request on a machine or build without CUDA is an
    /// error that says how to get it (a CUDA build is <c>-p:TorchBackend=cuda</c>); it never falls back silently.
    /// </summary>
    public torch.Device Resolve()
    {
        var available = torch.cuda.is_available();
        switch (Kind)
        {
            case "cpu":
                return torch.CPU;
            case "auto":
                return available ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        }
        if (!available)
            throw new InvalidOperationException(
                $"Device '{this}' requested, but CUDA is not available: this build uses the CPU libtorch "
                + "(build with -p:TorchBackend=cuda on a machine with an NVIDIA driver; see environment.md), or use --device cpu.");
        var count = torch.cuda.device_count();
        var ordinal = Index ?? 0;
        if (ordinal >= count)
            throw new InvalidOperationException($"Device '{this}' requested, but this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1}).");
        return new torch.Device(DeviceType.CUDA, ordinal);
    }

    public override string ToString() => Index is { } i ? $"{Kind}:{i}" : Kind;
}
