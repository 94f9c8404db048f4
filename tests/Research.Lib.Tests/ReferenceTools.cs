using System.Diagnostics;

namespace Research.Lib.Tests;

/// <summary>Runs the reference tools in benchmarks/reference, or says why they cannot run (for a visible skip).</summary>
internal static class ReferenceTools
{
    public static string Dir => Path.Combine(TestPaths.RepoRoot, "benchmarks", "reference");

    /// <summary>Null when Debian's python3 can import the modules; otherwise the reason to skip.</summary>
    public static string? PythonMissing(params string[] modules)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) return "/usr/bin/python3 is not installed (apt-get install python3)";
        var (code, _, err) = Run(python, "-c", $"import {string.Join(", ", modules)}");
        return code == 0 ? null : $"Debian's python3 cannot import {string.Join(", ", modules)} ({err.Trim().Split('\n').Last()}); .ci/run installs them";
    }

    /// <summary>Null when node and the reference's npm packages are installed; otherwise the reason to skip.</summary>
    public static string? NodeTokenizersMissing()
    {
        if (Which("node") is null) return "node is not installed (apt-get install nodejs npm)";
        return Directory.Exists(Path.Combine(Dir, "node_modules", "tokenizers"))
            ? null
            : $"npm packages are not installed: run `npm ci --prefix {Dir}` (.ci/run does)";
    }

    public static void RunOrThrow(string file, params string[] args)
    {
        var (code, output, err) = Run(file, args);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({code}):\n{output}\n{err}");
    }

    public static (int Code, string Out, string Err) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    public static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
