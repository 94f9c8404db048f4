using Research.Lib.IO;

namespace Research.Lib.Tests.IO;

public class AssemblyResourcesTests
{
    private static string TestAssembly => typeof(AssemblyResourcesTests).Assembly.Location;

    [Fact]
    public void ReadsAnEmbeddedResourceWithoutLoadingTheAssembly()
    {
        Assert.Contains("Research.Lib.Tests.fixture.txt", AssemblyResources.Names(TestAssembly));
        Assert.Equal("fixture resource: ü\n", new System.Text.UTF8Encoding(false).GetString(AssemblyResources.Read(TestAssembly, "Research.Lib.Tests.fixture.txt")));
    }

    [Fact]
    public void MissingResourceListsTheOthers()
    {
        var e = Assert.Throws<InvalidDataException>(() => AssemblyResources.Read(TestAssembly, "nope"));
        Assert.StartsWith($"{TestAssembly}: no embedded resource 'nope' (it has: ", e.Message);
        Assert.Contains("Research.Lib.Tests.fixture.txt", e.Message);
    }

    [Fact]
    public void NonAssemblyIsNamed()
    {
        using var dir = new TempDir();
        var path = dir.File("x.dll", "not a PE file at all, just text");
        var e = Assert.Throws<InvalidDataException>(() => AssemblyResources.Names(path));
        Assert.StartsWith($"{path}: not a .NET assembly (", e.Message);
    }
}
