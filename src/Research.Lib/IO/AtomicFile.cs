using System.Text;

namespace Research.Lib.IO;

/// <summary>
/// Writes a file to a temporary sibling and renames it into place, so an interrupted run never leaves
/// a half-written file where a good one was.
/// </summary>
public static class AtomicFile
{
    /// <summary>UTF-8 without BOM, the encoding every writer in the kit uses.</summary>
    public static readonly Encoding Utf8NoBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes through <paramref name="write"/> into a temporary file, flushes it to disk, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"{path}: cannot create its folder {dir}: {e.Message}", e);
        }
        RemoveStaleTemporaries(full);
        var temp = TemporaryPath(full);
        FileStream created;
        try
        {
            created = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // The message names the path the caller gave, not the hidden temporary no user asked for.
            throw e is UnauthorizedAccessException
                ? new UnauthorizedAccessException($"{path}: cannot write it: {e.Message.Replace(temp, full, StringComparison.Ordinal)}", e)
                : new IOException($"{path}: cannot write it: {e.Message.Replace(temp, full, StringComparison.Ordinal)}", e);
        }
        try
        {
            using (var stream = created)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>A hidden sibling for writing <paramref name="fullPath"/>: <c>.NAME.PID.GUID.tmp</c> (the pid lets a later run tell a dead writer's leftover).</summary>
    public static string TemporaryPath(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>Deletes the temporaries that killed writers of <paramref name="fullPath"/> left (those of live processes stay).</summary>
    public static void RemoveStaleTemporaries(string fullPath)
    {
        var dir = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(dir)) return;
        foreach (var path in Directory.EnumerateFiles(dir, $".{Path.GetFileName(fullPath)}.*.tmp"))
        {
            var parts = Path.GetFileName(path).Split('.');
            // Our own process's temporaries belong to writes in progress on other threads; live processes' likewise.
            if (parts.Length < 4 || !int.TryParse(parts[^3], out var pid) || pid == Environment.ProcessId || ProcessLiveness.IsAlive(pid)) continue;
            try { File.Delete(path); } catch (IOException) { }
        }
    }

    /// <summary>Writes UTF-8 text (no BOM, LF line ends as the caller writes them) atomically.</summary>
    public static void WriteText(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, Utf8NoBom, 1 << 16, leaveOpen: true);
            write(writer);
        });
    }

    /// <summary>Writes a whole string atomically.</summary>
    public static void WriteAllText(string path, string contents) => WriteText(path, w => w.Write(contents));
}
