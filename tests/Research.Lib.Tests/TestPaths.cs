using System.Text;

namespace Research.Lib.Tests;

/// <summary>Temporary folders and well-known paths for tests.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared/data beside the repository, or RESEARCH_SHARED_DATA when set.</summary>
    public static string SharedData =>
        Environment.GetEnvironmentVariable("RESEARCH_SHARED_DATA") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    public static string ToyData => Path.Combine(RepoRoot, "toy_data");

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Research.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Research.sln not found above the test binaries.");
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "research-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes exact bytes (UTF-8 of <paramref name="text"/>, no BOM unless given) and returns the path.</summary>
    public string File(string name, string text, bool bom = false)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var bytes = Encoding.UTF8.GetBytes(text);
        System.IO.File.WriteAllBytes(path, bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes);
        return path;
    }

    public string Bytes(string name, byte[] bytes)
    {
        var path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
