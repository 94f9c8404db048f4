using Research.Lib.Modeling;

namespace Research.Lib.Tests.Architecture;

/// <summary>The folder rules of the library (README, "Layout"): no cycle between folders; the library uses neither the CLI nor the notebooks runner.</summary>
public sealed class ArchitectureTests
{
    private static readonly System.Reflection.Assembly Library = typeof(SentenceEncoder).Assembly;

    [Fact]
    public void NoTwoFoldersOfTheLibraryUseEachOther()
    {
        var edges = FolderDependencies.Edges(Library);
        var cycles = FolderDependencies.Cycles(edges.Keys);
        Assert.True(cycles.Count == 0, "Folder cycles (with the uses that make them):\n" + string.Join("\n", cycles.Select(c =>
            string.Join(" <-> ", c) + ":\n  " + string.Join("\n  ", edges.Where(e => c.Contains(e.Key.From) && c.Contains(e.Key.To)).Select(e => $"{e.Key.From} -> {e.Key.To}: {e.Value}")))));
    }

    [Fact]
    public void TheLibraryReferencesNeitherTheCliNorTheNotebooksRunner()
    {
        var references = Library.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("research", references);
        Assert.DoesNotContain("Research.Cli", references);
        Assert.DoesNotContain("Research.Notebooks", references);
    }

    [Fact]
    public void TheCycleFinderSeesACycle()
    {
        Assert.Equal([["A", "B", "C"]], FolderDependencies.Cycles([("A", "B"), ("B", "C"), ("C", "A"), ("C", "D")]));
        Assert.Empty(FolderDependencies.Cycles([("A", "B"), ("B", "C"), ("A", "C")]));
    }
}
