using System.Reflection;
using Research.Lib.Tests.Tensors;

namespace Research.Cli.Tests;

/// <summary>The command line, like the library, hands libtorch no temporary Scalar (see Research.Lib.Tensors.Scalars).</summary>
public sealed class ScalarLifetimeTests
{
    [Fact]
    public void TheCommandLineMakesNoUnrootedTemporaryScalar()
    {
        var offenders = ScalarLifetimeScanner.Offenders(Assembly.Load("research"));
        Assert.True(offenders.Count == 0, "Calls that hand libtorch a Scalar a GC may free during the call:\n" + string.Join("\n", offenders));
    }
}
