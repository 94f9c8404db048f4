using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Devices;

/// <summary>
/// The processes of one data-parallel job, connected by Gloo (the collective library PyTorch's CPU processes use) over
/// TCP: a full mesh set up through the <see cref="RendezvousStore"/> at MASTER_ADDR:MASTER_PORT, then the collectives
/// training needs — the sum of gradients over every process, the gathering of every process's embeddings (cross-process
/// negatives) and the broadcast of rank 0's evaluation. A process that ends or stops answering makes the next collective
/// of every other process fail with a <see cref="CollectiveException"/> that says so (Gloo sees the closed connection at
/// once; a hung process after the collective timeout, 30 minutes unless RESEARCH_COLLECTIVE_TIMEOUT gives seconds).
/// Tensors on a GPU go through host memory (NCCL is not wired in yet).
/// </summary>
public sealed unsafe class ProcessGroup : IDisposable
{
    // Gloo calls the store on the connecting thread: one store per thread (the processes of a test may be threads of one).
    [ThreadStatic] private static RendezvousStore? s_store;
    [ThreadStatic] private static Exception? s_storeError;
    private IntPtr _handle;
    private uint _tag;
    private string? _broken;

    private ProcessGroup(LaunchEnvironment launch, IntPtr handle, TimeSpan timeout)
    {
        (Launch, _handle, Timeout) = (launch, handle, timeout);
    }

    /// <summary>This process's rank, the job's size, where they came from.</summary>
    public LaunchEnvironment Launch { get; }

    public int Rank => Launch.Rank;

    public int WorldSize => Launch.WorldSize;

    /// <summary>Rank 0: the process that evaluates, logs and writes the outputs.</summary>
    public bool IsMain => Launch.Rank == 0;

    /// <summary>How long a collective waits for the other processes.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Null when the kit's Gloo library loads, else why not (what to install).</summary>
    public static string? Unavailable
    {
        get
        {
            try
            {
                Marshal.Prelink(typeof(GlooNative).GetMethod(nameof(GlooNative.Close))!);
                return null;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return "multi-process training needs Gloo, and libresearch_gloo.so was not built: install Debian/Ubuntu's libgloo-dev (apt-get install libgloo-dev) and build again. " + e.Message;
            }
        }
    }

    /// <summary>The job this process was launched into (<see cref="LaunchEnvironment.FromProcess"/>), connected; null for a single process.</summary>
    public static ProcessGroup? FromProcess() =>
        LaunchEnvironment.FromProcess() is { } launch ? Connect(launch, LaunchEnvironment.Timeout(Environment.GetEnvironmentVariable)) : null;

    /// <summary>Meets the other processes of <paramref name="launch"/> and connects them all to all (blocks until every one has come, at most <paramref name="timeout"/>).</summary>
    public static ProcessGroup Connect(LaunchEnvironment launch, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(launch);
        if (Unavailable is { } why) throw new NotSupportedException(why);
        TorchRuntime.Initialize(); // the resolver that loads libresearch_gloo
        var iface = Environment.GetEnvironmentVariable("GLOO_SOCKET_IFNAME") ?? "";
        // On one machine (MASTER_ADDR a loopback address) every process listens on the loopback; else on the address the
        // machine's hostname resolves to, or on GLOO_SOCKET_IFNAME's interface (as PyTorch's Gloo backend).
        var hostname = iface.Length == 0 && LaunchEnvironment.IsLoopback(launch.MasterAddress) ? "127.0.0.1" : "";
        using var store = new RendezvousStore(launch.Rank == 0, launch.MasterAddress, launch.MasterPort, timeout);
        s_store = store;
        s_storeError = null;
        var error = stackalloc byte[GlooNative.ErrorCapacity];
        IntPtr handle;
        try
        {
            handle = GlooNative.Connect(launch.Rank, launch.WorldSize, hostname, iface, (long)timeout.TotalMilliseconds,
                &StoreSet, &StoreGet, error, GlooNative.ErrorCapacity);
        }
        finally
        {
            s_store = null;
        }
        if (handle == IntPtr.Zero)
            throw new CollectiveException($"{launch}: cannot connect the job's {launch.WorldSize} processes through Gloo: {s_storeError?.Message ?? Message(error)}", s_storeError);
        var group = new ProcessGroup(launch, handle, timeout);
        group.Barrier(); // every process has read the store before rank 0 closes it
        return group;
    }

    /// <summary>Replaces <paramref name="tensor"/> (float32) by its sum over every process.</summary>
    public void AllReduceSum(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dtype != ScalarType.Float32) throw new ArgumentException($"AllReduceSum sums float32 tensors; this one is {tensor.dtype}.", nameof(tensor));
        var direct = tensor.device_type == DeviceType.CPU && tensor.is_contiguous();
        using var host = direct ? tensor.detach() : tensor.detach().cpu().contiguous(); // detach shares the memory
        var error = stackalloc byte[GlooNative.ErrorCapacity];
        fixed (byte* data = host.bytes)
            Check(GlooNative.AllReduceSum(Open(), (float*)data, host.numel(), _tag++, error, GlooNative.ErrorCapacity), "summing gradients", error);
        if (!direct)
            using (no_grad()) tensor.copy_(host);
    }

    /// <summary>
    /// Every process's rows of <paramref name="local"/> (2-D), in rank order: rank r gives <paramref name="rowsPerRank"/>[r]
    /// rows (the same list on every process). Detached, on <paramref name="local"/>'s device and type.
    /// </summary>
    public Tensor AllGatherRows(Tensor local, IReadOnlyList<long> rowsPerRank)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(rowsPerRank);
        if (rowsPerRank.Count != WorldSize || local.dim() != 2 || local.shape[0] != rowsPerRank[Rank])
            throw new ArgumentException($"AllGatherRows: rank {Rank} has [{string.Join(", ", local.shape)}], and the row counts name {string.Join("/", rowsPerRank)} for {WorldSize} processes.");
        var width = local.shape[1];
        var most = rowsPerRank.Max();
        using var scope = NewDisposeScope();
        var mine = local.detach().to(ScalarType.Float32).cpu();
        if (most > mine.shape[0]) mine = cat([mine, zeros(most - mine.shape[0], width)], 0);
        mine = mine.contiguous();
        var all = empty(WorldSize * most, width);
        var error = stackalloc byte[GlooNative.ErrorCapacity];
        fixed (byte* input = mine.bytes)
        fixed (byte* output = all.bytes)
            Check(GlooNative.AllGather(Open(), input, output, most * width * sizeof(float), _tag++, error, GlooNative.ErrorCapacity), "gathering embeddings", error);
        var parts = Enumerable.Range(0, WorldSize).Select(r => all.narrow(0, r * most, most).narrow(0, 0, rowsPerRank[r])).ToArray();
        return cat(parts, 0).to(local.dtype).to(local.device).MoveToOuterDisposeScope();
    }

    /// <summary>Rank 0's <paramref name="values"/> on every process (the same count everywhere).</summary>
    public double[] Broadcast(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var copy = (double[])values.Clone();
        var error = stackalloc byte[GlooNative.ErrorCapacity];
        if (copy.Length == 0) return copy;
        fixed (double* data = copy)
            Check(GlooNative.Broadcast(Open(), data, copy.Length * sizeof(double), 0, _tag++, error, GlooNative.ErrorCapacity), "receiving rank 0's evaluation", error);
        return copy;
    }

    /// <summary>Waits until every process has come here.</summary>
    public void Barrier()
    {
        var error = stackalloc byte[GlooNative.ErrorCapacity];
        Check(GlooNative.Barrier(Open(), _tag++, error, GlooNative.ErrorCapacity), "waiting for the other processes", error);
    }

    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        GlooNative.Close(_handle);
        _handle = IntPtr.Zero;
    }

    private IntPtr Open()
    {
        if (_broken is not null) throw new CollectiveException(_broken);
        return _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(ProcessGroup));
    }

    private void Check(int rc, string what, byte* error)
    {
        if (rc == 0) return;
        _broken = $"{Launch}: {what} failed: {Message(error)}. Another process of the job ended or stopped answering (or the {Timeout.TotalSeconds:0} s collective timeout passed); this process stops too.";
        throw new CollectiveException(_broken);
    }

    private static string Message(byte* error) => Marshal.PtrToStringUTF8((IntPtr)error) is { Length: > 0 } m ? m.Trim() : "no message";

    [UnmanagedCallersOnly]
    private static int StoreSet(byte* key, byte* data, int length)
    {
        try
        {
            s_store!.Put(Marshal.PtrToStringUTF8((IntPtr)key)!, new ReadOnlySpan<byte>(data, length));
            return 0;
        }
        catch (Exception e)
        {
            s_storeError = e;
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static int StoreGet(byte* key, byte* buffer, int capacity)
    {
        try
        {
            var value = s_store!.Take(Marshal.PtrToStringUTF8((IntPtr)key)!);
            if (value.Length <= capacity) value.CopyTo(new Span<byte>(buffer, capacity));
            return value.Length;
        }
        catch (Exception e)
        {
            s_storeError = e;
            return -1;
        }
    }
}
