using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Research.Lib.Devices;

/// <summary>
/// Process-wide set-up that must happen before libtorch loads.
/// <list type="number">
/// <item>On Linux x64 with an AMD CPU it loads <c>libresearch_mklfix.so</c> (built from native/mklfix) with
/// RTLD_GLOBAL, so the MKL inside libtorch uses its AVX2 / AVX-512 kernels instead of generic ones (measured:
/// BERT-base forward 1.6× faster on AMD EPYC). Set RESEARCH_MKL_AMD_FIX=0 to turn it off.</item>
/// <item>When the kit is loaded into a host that did not ship TorchSharp's native libraries (a Polyglot / dotnet-repl
/// kernel that <c>#r</c>'s the build output), it loads them by full path from the build output beside
/// <c>Research.Lib.dll</c> (<c>runtimes/linux-x64/native</c>: libgomp, libc10, libtorch_cpu, libtorch and the
/// GLIBCXX-patched libLibTorchSharp), so TorchSharp's own lookup finds them already loaded. An application built
/// with the kit (the CLI, the tests) resolves them itself and this step does nothing.</item>
/// </list>
/// Runs when the library is first used; call <see cref="Initialize"/> first thing in a program or notebook that
/// touches TorchSharp before any kit type.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static string? _status;

    private static string? _nativeStatus;

    /// <summary>What was done for MKL, e.g. "MKL AMD fix: on" (idempotent; the first call decides).</summary>
    public static string Status => Initialize();

    /// <summary>Where TorchSharp's native libraries come from, e.g. "torch natives: resolved by the application".</summary>
    public static string NativeStatus
    {
        get
        {
            Initialize();
            return _nativeStatus!;
        }
    }

#pragma warning disable CA2255 // a module initializer is the only hook that runs before callers reach libtorch through this library
    [ModuleInitializer]
    internal static void OnLoad() => Initialize();
#pragma warning restore CA2255

    public static string Initialize()
    {
        lock (Gate)
        {
            _status ??= Apply();
            _nativeStatus ??= LoadTorchNatives();
            return _status;
        }
    }

    private static string Apply()
    {
        if (Environment.GetEnvironmentVariable("RESEARCH_MKL_AMD_FIX") == "0")
            return "MKL AMD fix: off (RESEARCH_MKL_AMD_FIX=0)";
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "MKL AMD fix: not needed on this platform";
        if (!IsAmd())
            return "MKL AMD fix: not needed (not an AMD CPU)";
        var path = Path.Combine(LibraryDirectory, "libresearch_mklfix.so");
        if (!File.Exists(path))
            return $"MKL AMD fix: unavailable ({path} was not built; see environment.md)";
        return dlopen(path, RtldNow | RtldGlobal) != IntPtr.Zero
            ? "MKL AMD fix: on"
            : "MKL AMD fix: failed to load " + path;
    }

    /// <summary>The folder of Research.Lib.dll: the build output a notebook references.</summary>
    private static string LibraryDirectory => Path.GetDirectoryName(typeof(TorchRuntime).Assembly.Location) is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;

    private static string LoadTorchNatives()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "torch natives: resolved by TorchSharp";
        var app = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(app, "libLibTorchSharp.so")) || File.Exists(Path.Combine(app, "runtimes", "linux-x64", "native", "libLibTorchSharp.so")))
            return "torch natives: resolved by the application";
        var native = Path.Combine(LibraryDirectory, "runtimes", "linux-x64", "native");
        if (!File.Exists(Path.Combine(native, "libLibTorchSharp.so")))
            native = LibraryDirectory;
        if (!File.Exists(Path.Combine(native, "libLibTorchSharp.so")))
            return $"torch natives: not found beside {LibraryDirectory} (TorchSharp will search itself)";
        // Dependencies first, so each dlopen finds what the next library needs already loaded.
        var order = Directory.EnumerateFiles(native, "libgomp*.so*").Order(StringComparer.Ordinal)
            .Concat(new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so", "libLibTorchSharp.so" }.Select(n => Path.Combine(native, n)).Where(File.Exists));
        foreach (var library in order)
            NativeLibrary.Load(library);
        return $"torch natives: loaded from {native}";
    }

    private static bool IsAmd()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").Any(l => l.StartsWith("vendor_id", StringComparison.Ordinal) && l.Contains("AuthenticAMD", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;

    [DllImport("libdl.so.2")]
    private static extern IntPtr dlopen(string fileName, int flags);
}
