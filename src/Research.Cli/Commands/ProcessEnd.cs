using System.Runtime.InteropServices;

namespace Research.Cli.Commands;

/// <summary>
/// Ends the process without the runtime's shutdown and without C/C++ exit handlers (libc <c>_exit</c>), for when work
/// that cannot be stopped is still running inside native libraries: a notebook cell abandoned at its timeout keeps
/// running libtorch, and libtorch's static destructors (oneDNN's primitive cache) crash under it during a normal exit.
/// </summary>
internal static partial class ProcessEnd
{
    /// <summary>Flushes <paramref name="writers"/>, then ends the process with <paramref name="exitCode"/>.</summary>
    public static void Immediately(int exitCode, params TextWriter[] writers)
    {
        foreach (var w in writers) w.Flush();
        if (OperatingSystem.IsWindows()) Environment.Exit(exitCode); // no libc: the runtime's exit is all there is
        Exit(exitCode);
    }

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);
}
