using Research.Lib.IO;

namespace Research.Lib.Tests.IO;

public class AtomicDirectoryTests
{
    [Fact]
    public void ReplacesTheWholeFolder()
    {
        using var dir = new TempDir();
        var target = Path.Combine(dir.Path, "model");
        AtomicDirectory.Write(target, d => { File.WriteAllText(Path.Combine(d, "a.txt"), "old"); File.WriteAllText(Path.Combine(d, "stale.txt"), "x"); });
        AtomicDirectory.Write(target, d => File.WriteAllText(Path.Combine(d, "a.txt"), "new"));
        Assert.Equal([AtomicDirectory.MarkerFile, "a.txt"], Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("new", File.ReadAllText(Path.Combine(target, "a.txt")));
        Assert.Contains("\"files\":[\"a.txt\"]", File.ReadAllText(Path.Combine(target, AtomicDirectory.MarkerFile)));
        Assert.Equal(["model"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void FailureKeepsTheOldFolderAndLeavesNoTemporary()
    {
        using var dir = new TempDir();
        var target = Path.Combine(dir.Path, "model");
        AtomicDirectory.Write(target, d => File.WriteAllText(Path.Combine(d, "a.txt"), "old"));
        var e = Assert.Throws<InvalidOperationException>(() => AtomicDirectory.Write(target, d =>
        {
            File.WriteAllText(Path.Combine(d, "a.txt"), "half");
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("boom", e.Message);
        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "a.txt")));
        Assert.Equal(["model"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void CleansWhatAKilledRunLeft()
    {
        using var dir = new TempDir();
        var target = Path.Combine(dir.Path, "m.v2");
        // A run killed while writing (dead pid) and one killed between the two renames (old moved aside, new not yet in place).
        Directory.CreateDirectory(Path.Combine(dir.Path, ".m.v2.999999999.abc.writing"));
        var old = Path.Combine(dir.Path, ".m.v2.999999999.def.old");
        Directory.CreateDirectory(old);
        File.WriteAllText(Path.Combine(old, "a.txt"), "complete old");
        AtomicDirectory.Write(target, d => Assert.Equal("complete old", File.ReadAllText(Path.Combine(target, "a.txt"))));
        Assert.Equal(["m.v2"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void RecoverPutsBackAFolderSetAsideByAKilledRun()
    {
        using var dir = new TempDir();
        var target = Path.Combine(dir.Path, "ckpt");
        var old = Path.Combine(dir.Path, ".ckpt.999999999.def.old");
        Directory.CreateDirectory(old);
        File.WriteAllText(Path.Combine(old, "trainer_state.json"), "{}");
        Directory.CreateDirectory(Path.Combine(dir.Path, ".ckpt.999999999.abc.writing"));
        AtomicDirectory.Recover(target);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(target, "trainer_state.json")));
        Assert.Equal(["ckpt"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        AtomicDirectory.Recover(Path.Combine(dir.Path, "missing", "x")); // no parent folder: nothing to do
    }

    [Fact]
    public void NeverReplacesAFolderItDidNotWrite()
    {
        using var dir = new TempDir();
        var mine = dir.File("data/notes.txt", "keep me");
        var target = Path.GetDirectoryName(mine)!;
        var e = Assert.Throws<IOException>(() => AtomicDirectory.Write(target, d => File.WriteAllText(Path.Combine(d, "a.txt"), "x")));
        Assert.Equal($"{target}: exists, is not empty and was not written by the kit (no {AtomicDirectory.MarkerFile}); refusing to replace it. Choose a new or empty folder.", e.Message);
        Assert.Equal("keep me", File.ReadAllText(mine));
    }

    [Fact]
    public void RefusesAFileAsTarget()
    {
        using var dir = new TempDir();
        var file = dir.File("f", "x");
        Assert.Equal($"{file}: is a file; expected a folder (or a path that does not exist yet).", Assert.Throws<IOException>(() => AtomicDirectory.Write(file, _ => { })).Message);
    }
}
