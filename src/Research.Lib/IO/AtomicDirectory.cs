namespace Research.Lib.IO;

/// <summary>
/// Writes a folder of files as one unit: everything goes into a hidden sibling folder, which then replaces the
/// target (the old folder is moved aside and deleted only after the new one is in place). A failure or a kill
/// leaves the old folder complete; temporaries of earlier interrupted runs are removed on the next write.
/// Each folder gets a <see cref="MarkerFile"/> listing its files; an existing non-empty folder without one was not
/// written this way and is never replaced (an <c>--out .</c> typo must not delete a user's files).
/// </summary>
public static class AtomicDirectory
{
    /// <summary>Written last into every folder: what wrote it, when, and its files.</summary>
    public const string MarkerFile = ".research-output.json";

    public static void Write(string directory, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(directory.TrimEnd('/', Path.DirectorySeparatorChar));
        if (File.Exists(full))
            throw new IOException($"{directory}: is a file; expected a folder (or a path that does not exist yet).");
        var parent = Path.GetDirectoryName(full)!;
        var name = Path.GetFileName(full);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !File.Exists(Path.Combine(full, MarkerFile)))
            throw new IOException($"{directory}: exists, is not empty and was not written by the kit (no {MarkerFile}); refusing to replace it. Choose a new or empty folder.");
        Directory.CreateDirectory(parent);
        CleanStale(parent, name);
        var temp = Path.Combine(parent, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.writing");
        var old = Path.Combine(parent, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.old");
        try
        {
            Directory.CreateDirectory(temp);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // The message names the folder the caller gave, not the hidden temporary no user asked for.
            throw e is UnauthorizedAccessException
                ? new UnauthorizedAccessException($"{directory}: cannot write it: {e.Message.Replace(temp, full, StringComparison.Ordinal)}", e)
                : new IOException($"{directory}: cannot write it: {e.Message.Replace(temp, full, StringComparison.Ordinal)}", e);
        }
        try
        {
            write(temp);
            WriteMarker(temp);
            if (Directory.Exists(full))
                Directory.Move(full, old);
            Directory.Move(temp, full);
        }
        catch
        {
            if (Directory.Exists(old) && !Directory.Exists(full)) Directory.Move(old, full);
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// Puts back a folder whose replacement was killed between its two moves (the complete old folder is still beside
    /// it, set aside) and removes dead runs' temporaries; a no-op otherwise. For readers that need the folder now,
    /// e.g. <c>research train --resume</c> reading the last checkpoint.
    /// </summary>
    public static void Recover(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory.TrimEnd('/', Path.DirectorySeparatorChar));
        var parent = Path.GetDirectoryName(full)!;
        if (Directory.Exists(parent)) CleanStale(parent, Path.GetFileName(full));
    }

    private static void WriteMarker(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Order(StringComparer.Ordinal)
            .Select(f => (System.Text.Json.Nodes.JsonNode?)f).ToArray();
        AtomicFile.WriteAllText(Path.Combine(folder, MarkerFile), new System.Text.Json.Nodes.JsonObject
        {
            ["written_by"] = "research kit",
            ["utc"] = DateTime.UtcNow.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            ["files"] = new System.Text.Json.Nodes.JsonArray(files),
        }.ToJsonString() + "\n");
    }

    /// <summary>Removes temporaries that a killed run of this process's predecessors left beside the folder (not those of live processes).</summary>
    private static void CleanStale(string parent, string name)
    {
        foreach (var path in Directory.EnumerateDirectories(parent, $".{name}.*"))
        {
            var parts = Path.GetFileName(path).Split('.');
            if (parts.Length < 4 || parts[^1] is not ("writing" or "old") || !int.TryParse(parts[^3], out var pid)) continue;
            if (pid != Environment.ProcessId && ProcessLiveness.IsAlive(pid)) continue;
            if (parts[^1] == "old" && !Directory.Exists(Path.Combine(parent, name)))
                Directory.Move(path, Path.Combine(parent, name)); // killed between the two moves: the old folder is the complete one
            else
                Directory.Delete(path, recursive: true);
        }
    }

}
