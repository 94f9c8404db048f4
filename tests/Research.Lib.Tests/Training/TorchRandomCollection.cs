namespace Research.Lib.Tests.Training;

/// <summary>
/// Tests that train (dropout draws from torch's process-wide generator, which the trainer seeds by position) run alone:
/// another test drawing from that generator on a parallel thread would change their masks and their exact results.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRandomCollection
{
    public const string Name = "torch random generator";
}
