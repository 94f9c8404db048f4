using System.Reflection;
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
/// GLIBCXX-patched libLibTorchSharp), so TorchSharp's own lookup finds them already loaded. When the kit comes as
/// the NuGet package (<c>#r "nuget: Research.Lib"</c> from the local feed the build writes), libtorch comes from the
/// libtorch-cpu-linux-x64 package beside it in the NuGet cache and libLibTorchSharp from the copy this package carries
/// (patched for libstdc++ 12). An application built with the kit (the CLI, the tests) resolves them itself and this
/// step does nothing.</item>
/// <item>It resolves the kit's own native libraries (<c>libresearch_faiss</c>, <c>libresearch_gloo</c>) from the same
/// places, whichever layout the kit was loaded from.</item>
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
            if (_status is null)
                NativeLibrary.SetDllImportResolver(typeof(TorchRuntime).Assembly, ResolveKitLibrary);
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
        var path = FindKitLibrary("libresearch_mklfix.so");
        if (path is null)
            return $"MKL AMD fix: unavailable (libresearch_mklfix.so was not built beside {LibraryDirectory}; see environment.md)";
        return dlopen(path, RtldNow | RtldGlobal) != IntPtr.Zero
            ? "MKL AMD fix: on"
            : "MKL AMD fix: failed to load " + path;
    }

    /// <summary>The folder of Research.Lib.dll: the build output a notebook references.</summary>
    private static string LibraryDirectory => Path.GetDirectoryName(typeof(TorchRuntime).Assembly.Location) is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;

    /// <summary>
    /// The NuGet package's folder (…/research.lib/VERSION) when the kit was loaded from the package's
    /// lib/net10.0, else null.
    /// </summary>
    private static string? PackageDirectory
    {
        get
        {
            var root = Path.GetFullPath(Path.Combine(LibraryDirectory, "..", ".."));
            return File.Exists(Path.Combine(root, "research.lib.nuspec")) ? root : null;
        }
    }

    /// <summary>Where the kit's own native libraries may be: beside the assembly (a build output) or in the package.</summary>
    private static IEnumerable<string> KitNativeDirectories()
    {
        yield return LibraryDirectory;
        yield return Path.Combine(LibraryDirectory, "runtimes", "linux-x64", "native");
        if (PackageDirectory is { } package)
            yield return Path.Combine(package, "runtimes", "linux-x64", "native");
    }

    private static string? FindKitLibrary(string fileName) =>
        KitNativeDirectories().Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);

    private static IntPtr ResolveKitLibrary(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name == "libresearch_gloo")
        {
            // Deep binding: libtorch_cpu exports a newer Gloo's symbols, and the shim must call the Gloo it was built against.
            if (FindKitLibrary("libresearch_gloo.so") is not { } gloo) return IntPtr.Zero;
            var loaded = dlopen(gloo, RtldNow | RtldDeepBind);
            return loaded != IntPtr.Zero ? loaded : throw new DllNotFoundException($"{gloo}: {Marshal.PtrToStringUTF8(dlerror())}");
        }
        if (name != "libresearch_faiss" || FindKitLibrary("libresearch_faiss.so") is not { } path)
            return IntPtr.Zero; // the runtime's own lookup
        return NativeLibrary.TryLoad(path, out var handle) ? handle : IntPtr.Zero;
    }

    private static string LoadTorchNatives()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "torch natives: resolved by TorchSharp";
        var app = AppContext.BaseDirectory;
        if (File.Exists(Path.Combine(app, "libLibTorchSharp.so")) || File.Exists(Path.Combine(app, "runtimes", "linux-x64", "native", "libLibTorchSharp.so")))
            return "torch natives: resolved by the application";
        string torchDir, torchSharp;
        if (PackageDirectory is { } package)
        {
            // …/packages/research.lib/VERSION → …/packages/libtorch-cpu-linux-x64/VERSION it was packed against.
            var libtorch = typeof(TorchRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "LibTorchPackage")?.Value ?? "libtorch-cpu-linux-x64/unknown";
            torchDir = Path.GetFullPath(Path.Combine(package, "..", "..", libtorch.ToLowerInvariant(), "runtimes", "linux-x64", "native"));
            torchSharp = Path.Combine(package, "torchsharp", "linux-x64", "libLibTorchSharp.so");
            if (!File.Exists(Path.Combine(torchDir, "libtorch_cpu.so")))
                return $"torch natives: not found in {torchDir} (restore the package {libtorch}; TorchSharp will search itself)";
        }
        else
        {
            torchDir = Path.Combine(LibraryDirectory, "runtimes", "linux-x64", "native");
            if (!File.Exists(Path.Combine(torchDir, "libLibTorchSharp.so")))
                torchDir = LibraryDirectory;
            torchSharp = Path.Combine(torchDir, "libLibTorchSharp.so");
        }
        if (!File.Exists(torchSharp))
            return $"torch natives: not found beside {LibraryDirectory} (TorchSharp will search itself)";
        // Dependencies first, so each dlopen finds what the next library needs already loaded; libLibTorchSharp last
        // (its soname then answers TorchSharp's own dlopen("libLibTorchSharp.so")).
        var order = Directory.EnumerateFiles(torchDir, "libgomp*.so*").Order(StringComparer.Ordinal)
            .Concat(new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }.Select(n => Path.Combine(torchDir, n)).Where(File.Exists))
            .Append(torchSharp);
        foreach (var library in order)
            NativeLibrary.Load(library);
        return $"torch natives: loaded from {(PackageDirectory is null ? torchDir : $"{torchDir} and {Path.GetDirectoryName(torchSharp)}")}";
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
    private const int RtldDeepBind = 0x8;

    [DllImport("libdl.so.2")]
    private static extern IntPtr dlopen(string fileName, int flags);

    [DllImport("libdl.so.2")]
    private static extern IntPtr dlerror();
}
