using System.Runtime.InteropServices;

namespace Research.Lib.Devices;

/// <summary>P/Invoke declarations of native/gloo/research_gloo.cpp (built into libresearch_gloo.so against Debian's libgloo).</summary>
internal static unsafe partial class GlooNative
{
    public const string Library = "libresearch_gloo";
    public const int ErrorCapacity = 1024;

    [LibraryImport(Library, EntryPoint = "research_gloo_connect", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr Connect(int rank, int size, string hostname, string iface, long timeoutMs,
        delegate* unmanaged<byte*, byte*, int, int> set, delegate* unmanaged<byte*, byte*, int, int> get, byte* error, int capacity);

    [LibraryImport(Library, EntryPoint = "research_gloo_allreduce_sum_f32")]
    public static partial int AllReduceSum(IntPtr group, float* data, long count, uint tag, byte* error, int capacity);

    [LibraryImport(Library, EntryPoint = "research_gloo_allgather")]
    public static partial int AllGather(IntPtr group, void* input, void* output, long bytes, uint tag, byte* error, int capacity);

    [LibraryImport(Library, EntryPoint = "research_gloo_broadcast")]
    public static partial int Broadcast(IntPtr group, void* data, long bytes, int root, uint tag, byte* error, int capacity);

    [LibraryImport(Library, EntryPoint = "research_gloo_barrier")]
    public static partial int Barrier(IntPtr group, uint tag, byte* error, int capacity);

    [LibraryImport(Library, EntryPoint = "research_gloo_close")]
    public static partial void Close(IntPtr group);
}
