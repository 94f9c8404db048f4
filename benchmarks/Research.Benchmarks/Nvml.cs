using System.Runtime.InteropServices;

namespace Research.Benchmarks;

/// <summary>
/// GPU memory in use as the NVIDIA driver reports it (NVML, libnvidia-ml.so.1): the same reading for the kit's process
/// and PyTorch's, whatever allocator each uses. A sampler thread keeps the peak while a child process runs.
/// </summary>
internal static class Nvml
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Memory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    [DllImport("libnvidia-ml.so.1")] private static extern int nvmlInit_v2();
    [DllImport("libnvidia-ml.so.1")] private static extern int nvmlDeviceGetHandleByIndex_v2(uint index, out IntPtr device);
    [DllImport("libnvidia-ml.so.1")] private static extern int nvmlDeviceGetMemoryInfo(IntPtr device, out Memory memory);

    private static IntPtr _device;

    /// <summary>False where there is no NVIDIA driver (memory columns are then left empty).</summary>
    public static bool Available { get; } = Init();

    private static bool Init()
    {
        try
        {
            return nvmlInit_v2() == 0 && nvmlDeviceGetHandleByIndex_v2(0, out _device) == 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Memory used on GPU 0, MiB.</summary>
    public static double UsedMiB() => Available && nvmlDeviceGetMemoryInfo(_device, out var m) == 0 ? m.Used / 1048576.0 : double.NaN;

    /// <summary>Runs <paramref name="action"/> while sampling every 2 ms; returns its result and the peak used memory above the reading before it, MiB.</summary>
    public static (T Result, double PeakMiB) Peak<T>(Func<T> action)
    {
        var baseline = UsedMiB();
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, UsedMiB());
                Thread.Sleep(2);
            }
        });
        var result = action();
        stop.Cancel();
        sampler.Wait();
        return (result, peak - baseline);
    }
}
