using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Research.Lib.Devices;

/// <summary>
/// Which libtorch the kit runs on and whether it fits: where TorchSharp's native glue (libLibTorchSharp.so) is, the
/// libtorch it resolves, that libtorch's version and CUDA version (PyTorch's torch/version.py, a libtorch download's
/// build-version, or the TorchSharp package the build copied), the GPUs the NVIDIA driver reports, and an ABI check
/// that reads the ELF symbol tables — every symbol the glue needs must be exported by the libraries it links against —
/// before any call can fail with "undefined symbol". Used by <c>research env</c>.
/// </summary>
public static partial class LibTorchInfo
{
    /// <summary>Result of <see cref="CheckAbi"/>.</summary>
    /// <param name="Glue">the libLibTorchSharp.so checked</param>
    /// <param name="Resolved">each DT_NEEDED soname in the dependency closure and the file it resolved to</param>
    /// <param name="Unresolved">sonames found in no search folder</param>
    /// <param name="Needed">strong undefined symbols of the glue</param>
    /// <param name="Missing">those no library of the closure exports (calling one crashes the process)</param>
    /// <param name="MissingWeak">weak undefined symbols nobody exports (tolerated: they resolve to null)</param>
    public sealed record AbiReport(string Glue, IReadOnlyDictionary<string, string> Resolved, IReadOnlyList<string> Unresolved,
        int Needed, IReadOnlyList<string> Missing, IReadOnlyList<string> MissingWeak)
    {
        public bool Fits => Unresolved.Count == 0 && Missing.Count == 0;

        /// <summary>The folder the glue's libtorch.so resolved to, if any.</summary>
        public string? LibTorchDirectory => Resolved.TryGetValue("libtorch.so", out var p) || Resolved.TryGetValue("libtorch_cpu.so", out p) ? Path.GetDirectoryName(p) : null;
    }

    /// <summary>libLibTorchSharp.so as TorchSharp will load it: beside the application, in its runtimes folder, or beside Research.Lib.dll.</summary>
    public static string? FindGlue()
    {
        var lib = Path.GetDirectoryName(typeof(LibTorchInfo).Assembly.Location) is { Length: > 0 } d ? d : AppContext.BaseDirectory;
        return new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"), lib, Path.Combine(lib, "runtimes", "linux-x64", "native") }
            .Select(dir => Path.Combine(dir, "libLibTorchSharp.so")).FirstOrDefault(File.Exists);
    }

    /// <summary>Folders the dynamic loader searches for the glue's dependencies: the glue's own folder ($ORIGIN), LD_LIBRARY_PATH, the system folders.</summary>
    public static IReadOnlyList<string> SearchFolders(string glue) =>
        new[] { Path.GetDirectoryName(Path.GetFullPath(glue))! }
            .Concat((Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Concat(["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib"])
            .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Reads the glue's needed symbols and the exports of its whole DT_NEEDED closure (breadth first, as the loader) from the files.</summary>
    public static AbiReport CheckAbi(string glue, IReadOnlyList<string>? searchFolders = null)
    {
        searchFolders ??= SearchFolders(glue);
        var root = ElfDynamicSymbols.Read(glue);
        var exported = new HashSet<string>(StringComparer.Ordinal);
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        var unresolved = new List<string>();
        // Each soname is looked for first in the RUNPATH of the library that needs it ($ORIGIN = that library's folder), then
        // in the common folders, as the dynamic loader does.
        static IEnumerable<string> Own(ElfDynamicSymbols elf, string file) =>
            elf.RunPath.Select(r => r.Replace("$ORIGIN", Path.GetDirectoryName(Path.GetFullPath(file)), StringComparison.Ordinal).Replace("${ORIGIN}", Path.GetDirectoryName(Path.GetFullPath(file)), StringComparison.Ordinal));
        var queue = new Queue<(string Soname, IReadOnlyList<string> Folders)>(root.Needed.Select(n => (n, (IReadOnlyList<string>)Own(root, glue).ToList())));
        var seen = new HashSet<string>(root.Needed, StringComparer.Ordinal);
        while (queue.Count > 0)
        {
            var (soname, own) = queue.Dequeue();
            var file = own.Concat(searchFolders).Select(f => Path.Combine(f, soname)).FirstOrDefault(File.Exists);
            if (file is null)
            {
                unresolved.Add(soname);
                continue;
            }
            resolved[soname] = Path.GetFullPath(file);
            var symbols = ElfDynamicSymbols.Read(file);
            exported.UnionWith(symbols.Defined);
            var folders = Own(symbols, file).ToList();
            foreach (var next in symbols.Needed)
                if (seen.Add(next)) queue.Enqueue((next, folders));
        }
        var missing = root.Undefined.Where(s => !exported.Contains(s)).Distinct().Order(StringComparer.Ordinal).ToList();
        var missingWeak = root.WeakUndefined.Where(s => !exported.Contains(s) && !s.StartsWith("__", StringComparison.Ordinal) && !s.StartsWith("_ITM_", StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        return new AbiReport(glue, resolved, unresolved, root.Undefined.Count, missing, missingWeak);
    }

    /// <summary>The folder of the libtorch mapped into this process (after TorchSharp loaded it), from /proc/self/maps.</summary>
    public static string? LoadedLibTorchDirectory()
    {
        if (!File.Exists("/proc/self/maps")) return null;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var at = line.IndexOf('/', StringComparison.Ordinal);
            if (at >= 0 && line.EndsWith("/libtorch_cpu.so", StringComparison.Ordinal))
                return Path.GetDirectoryName(line[at..]);
        }
        return null;
    }

    /// <summary>
    /// (version, CUDA version) of the libtorch in <paramref name="directory"/>: PyTorch's torch/version.py (the folder is
    /// torch/lib), a libtorch download's build-version (the folder is libtorch/lib), or the libtorch NuGet package the
    /// build copied (from the application's deps.json); nulls when nothing says.
    /// </summary>
    public static (string? Version, string? Cuda) Version(string directory)
    {
        var versionPy = Path.Combine(directory, "..", "version.py");
        if (File.Exists(versionPy))
        {
            var text = File.ReadAllText(versionPy);
            var v = VersionLine().Match(text);
            var c = CudaLine().Match(text);
            return (v.Success ? v.Groups[1].Value : null, c.Success ? c.Groups[1].Value : null);
        }
        var buildVersion = Path.Combine(directory, "..", "build-version");
        if (File.Exists(buildVersion))
        {
            var v = File.ReadAllText(buildVersion).Trim();
            var cu = CudaSuffix().Match(v);
            return (v, cu.Success ? $"{cu.Groups[1].Value}.{cu.Groups[2].Value}" : null);
        }
        foreach (var deps in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.deps.json"))
        {
            var m = PackageVersion().Match(File.ReadAllText(deps));
            if (m.Success)
                return ($"{m.Groups[2].Value} (NuGet libtorch-{m.Groups[1].Value}-linux-x64)", m.Groups[1].Value == "cpu" ? null : "from the package");
        }
        return (null, null);
    }

    /// <summary>The NVIDIA driver's version and GPUs (name, memory), from libcuda.so.1; empty when there is no driver.</summary>
    public static (string? Driver, IReadOnlyList<string> Gpus) CudaDevices()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libcuda.so.1", out _))
            return (null, []);
        try
        {
            if (cuInit(0) != 0) return (null, []);
            cuDriverGetVersion(out var driver);
            cuDeviceGetCount(out var count);
            var gpus = new List<string>();
            for (var i = 0; i < count; i++)
            {
                if (cuDeviceGet(out var device, i) != 0) continue;
                var name = new byte[256];
                cuDeviceGetName(name, name.Length, device);
                cuDeviceTotalMem_v2(out var bytes, device);
                gpus.Add($"cuda:{i} {Encoding.ASCII.GetString(name).TrimEnd('\0')} ({bytes / 1073741824.0:0.0} GiB)");
            }
            return ($"CUDA driver API {driver / 1000}.{driver % 1000 / 10}", gpus);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (null, []);
        }
    }

    [GeneratedRegex(@"__version__\s*=\s*'([^']+)'")]
    private static partial Regex VersionLine();

    [GeneratedRegex(@"\ncuda\s*(?::[^=]*)?=\s*'([^']+)'")]
    private static partial Regex CudaLine();

    [GeneratedRegex(@"cu(\d+)(\d)\b")]
    private static partial Regex CudaSuffix();

    [GeneratedRegex(@"""libtorch-(cpu|cuda-[0-9.]+)-linux-x64/([0-9.]+)""")]
    private static partial Regex PackageVersion();

    [DllImport("libcuda.so.1")] private static extern int cuInit(uint flags);
    [DllImport("libcuda.so.1")] private static extern int cuDriverGetVersion(out int version);
    [DllImport("libcuda.so.1")] private static extern int cuDeviceGetCount(out int count);
    [DllImport("libcuda.so.1")] private static extern int cuDeviceGet(out int device, int ordinal);
    [DllImport("libcuda.so.1")] private static extern int cuDeviceGetName(byte[] name, int length, int device);
    [DllImport("libcuda.so.1")] private static extern int cuDeviceTotalMem_v2(out ulong bytes, int device);
}
