using System.Runtime.InteropServices;

namespace Research.Lib.Search;

/// <summary>P/Invoke declarations of native/faiss/research_faiss.cpp (built into libresearch_faiss.so).</summary>
internal static partial class FaissNative
{
    private const string Library = "libresearch_faiss";

    [LibraryImport(Library, EntryPoint = "rk_faiss_last_error")]
    private static partial IntPtr LastErrorPtr();

    /// <summary>The last Faiss error, without the C++ location Faiss puts in front ("Error in FUNCTION at FILE:LINE: ").</summary>
    public static string LastError()
    {
        var text = Marshal.PtrToStringUTF8(LastErrorPtr()) ?? "unknown Faiss error";
        return System.Text.RegularExpressions.Regex.Replace(text, @"^Error in .* at \S+:\d+: ", "");
    }

    [LibraryImport(Library, EntryPoint = "rk_faiss_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr Create(int d, string factory, int metric);

    [LibraryImport(Library, EntryPoint = "rk_faiss_free")]
    public static partial void Free(IntPtr index);

    [LibraryImport(Library, EntryPoint = "rk_faiss_dimension")]
    public static partial int Dimension(IntPtr index);

    [LibraryImport(Library, EntryPoint = "rk_faiss_count")]
    public static partial long Count(IntPtr index);

    [LibraryImport(Library, EntryPoint = "rk_faiss_is_trained")]
    public static partial int IsTrained(IntPtr index);

    [LibraryImport(Library, EntryPoint = "rk_faiss_metric")]
    public static partial int Metric(IntPtr index);

    [LibraryImport(Library, EntryPoint = "rk_faiss_train")]
    public static unsafe partial int Train(IntPtr index, long n, float* x);

    [LibraryImport(Library, EntryPoint = "rk_faiss_add_with_ids")]
    public static unsafe partial int AddWithIds(IntPtr index, long n, float* x, long* ids);

    [LibraryImport(Library, EntryPoint = "rk_faiss_search")]
    public static unsafe partial int Search(IntPtr index, long n, float* x, long k, float* distances, long* labels);

    [LibraryImport(Library, EntryPoint = "rk_faiss_set_parameter", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetParameter(IntPtr index, string name, double value);

    [LibraryImport(Library, EntryPoint = "rk_faiss_range_search")]
    public static unsafe partial IntPtr RangeSearch(IntPtr index, long n, float* x, float radius);

    [LibraryImport(Library, EntryPoint = "rk_faiss_range_total")]
    public static partial long RangeTotal(IntPtr result);

    [LibraryImport(Library, EntryPoint = "rk_faiss_range_copy")]
    public static unsafe partial void RangeCopy(IntPtr result, long* lims, long* labels, float* distances);

    [LibraryImport(Library, EntryPoint = "rk_faiss_range_free")]
    public static partial void RangeFree(IntPtr result);

    [LibraryImport(Library, EntryPoint = "rk_faiss_write", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Write(IntPtr index, string path);

    [LibraryImport(Library, EntryPoint = "rk_faiss_read", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr Read(string path);

    public static void Check(int status, string what)
    {
        if (status != 0) throw new InvalidOperationException($"Faiss {what} failed: {LastError()}");
    }
}
