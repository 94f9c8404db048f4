using Research.Lib.Devices;

namespace Research.Lib.Tests.Devices;

public sealed class LaunchEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    [Fact]
    public void TorchrunSlurmAndMpirunVariablesAreRead()
    {
        Assert.Equal(new LaunchEnvironment(1, 4, 1, "10.0.0.5", 29500, "torchrun"),
            LaunchEnvironment.Parse(Env(("RANK", "1"), ("WORLD_SIZE", "4"), ("LOCAL_RANK", "1"), ("MASTER_ADDR", "10.0.0.5"), ("MASTER_PORT", "29500"))));
        Assert.Equal(new LaunchEnvironment(3, 4, 1, "node1", 29400, "srun"),
            LaunchEnvironment.Parse(Env(("SLURM_PROCID", "3"), ("SLURM_NTASKS", "4"), ("SLURM_LOCALID", "1"), ("MASTER_ADDR", "node1"), ("MASTER_PORT", "29400"))));
        Assert.Equal(new LaunchEnvironment(0, 2, 0, "127.0.0.1", 1234, "mpirun"),
            LaunchEnvironment.Parse(Env(("OMPI_COMM_WORLD_RANK", "0"), ("OMPI_COMM_WORLD_SIZE", "2"), ("OMPI_COMM_WORLD_LOCAL_RANK", "0"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", "1234"))));
        // torchrun's variables win over the scheduler's (torchrun started under srun); no LOCAL_RANK: the rank.
        Assert.Equal(new LaunchEnvironment(5, 8, 5, "h", 1, "torchrun"),
            LaunchEnvironment.Parse(Env(("RANK", "5"), ("WORLD_SIZE", "8"), ("SLURM_PROCID", "0"), ("SLURM_NTASKS", "1"), ("MASTER_ADDR", "h"), ("MASTER_PORT", "1"))));
    }

    [Fact]
    public void TheProcessesOfANodeShareItsCores()
    {
        var torchrun = LaunchEnvironment.Parse(Env(("RANK", "1"), ("WORLD_SIZE", "8"), ("LOCAL_WORLD_SIZE", "4"), ("MASTER_ADDR", "10.0.0.5"), ("MASTER_PORT", "29500")))!;
        Assert.Equal(4, torchrun.ProcessesOnNode);
        Assert.Equal(4, torchrun.ThreadsPerProcess(16));
        Assert.Equal(2, torchrun.ThreadsPerProcess(9));
        Assert.Equal(1, torchrun.ThreadsPerProcess(2)); // fewer cores than processes: one thread each
        var srun = LaunchEnvironment.Parse(Env(("SLURM_PROCID", "3"), ("SLURM_NTASKS", "4"), ("SLURM_NTASKS_PER_NODE", "2"), ("MASTER_ADDR", "node1"), ("MASTER_PORT", "29400")))!;
        Assert.Equal(8, srun.ThreadsPerProcess(16));
        var mpirun = LaunchEnvironment.Parse(Env(("OMPI_COMM_WORLD_RANK", "0"), ("OMPI_COMM_WORLD_SIZE", "6"), ("OMPI_COMM_WORLD_LOCAL_SIZE", "3"), ("MASTER_ADDR", "node1"), ("MASTER_PORT", "1234")))!;
        Assert.Equal(5, mpirun.ThreadsPerProcess(16));
        // No count from the launcher: a job whose rendezvous is this machine's loopback has all its processes here;
        // elsewhere the count is unknown and the cores are left alone.
        foreach (var address in new[] { "127.0.0.1", "localhost", "::1" })
        {
            var here = LaunchEnvironment.Parse(Env(("RANK", "0"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", address), ("MASTER_PORT", "29500")))!;
            Assert.Null(here.ProcessesOnNode);
            Assert.Equal(1, here.ThreadsPerProcess(2));
            Assert.Equal(8, here.ThreadsPerProcess(16));
        }
        Assert.Null(LaunchEnvironment.Parse(Env(("RANK", "0"), ("WORLD_SIZE", "2"), ("MASTER_ADDR", "10.0.0.5"), ("MASTER_PORT", "29500")))!.ThreadsPerProcess(16));
    }

    [Fact]
    public void OneProcessIsNoJob()
    {
        Assert.Null(LaunchEnvironment.Parse(Env()));
        Assert.Null(LaunchEnvironment.Parse(Env(("RANK", "0"), ("WORLD_SIZE", "1"))));
        Assert.Null(LaunchEnvironment.Parse(Env(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "1"))));
        Assert.Null(LaunchEnvironment.Parse(Env(("SLURM_NTASKS", "4")))); // an allocation, not a task of srun
    }

    [Theory]
    [InlineData("WORLD_SIZE=two", "WORLD_SIZE=two: not a whole number.")]
    [InlineData("RANK=2", "RANK=2: outside the job's 2 processes (0 to 1).")]
    [InlineData("MASTER_ADDR=", "torchrun started 2 processes, but MASTER_ADDR is not set: export MASTER_ADDR (the first node's address) and MASTER_PORT (a free port) before starting them.")]
    [InlineData("MASTER_PORT=70000", "MASTER_PORT=70000: not a TCP port (1 to 65535).")]
    [InlineData("RANK=", "RANK is not set; a multi-process launch sets it for every process.")]
    [InlineData("LOCAL_WORLD_SIZE=0", "LOCAL_WORLD_SIZE=0: a node runs at least 1 process of the job.")]
    [InlineData("LOCAL_WORLD_SIZE=x", "LOCAL_WORLD_SIZE=x: not a whole number.")]
    public void BadVariablesAreNamed(string change, string message)
    {
        var variables = new Dictionary<string, string> { ["RANK"] = "0", ["WORLD_SIZE"] = "2", ["MASTER_ADDR"] = "127.0.0.1", ["MASTER_PORT"] = "29500" };
        var (name, value) = (change.Split('=')[0], change.Split('=')[1]);
        variables[name] = value;
        var e = Assert.Throws<ArgumentException>(() => LaunchEnvironment.Parse(n => variables.GetValueOrDefault(n)));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void TheCollectiveTimeoutIsPyTorchsUnlessGiven()
    {
        Assert.Equal(TimeSpan.FromMinutes(30), LaunchEnvironment.Timeout(Env()));
        Assert.Equal(TimeSpan.FromSeconds(90), LaunchEnvironment.Timeout(Env(("RESEARCH_COLLECTIVE_TIMEOUT", "90"))));
        Assert.Equal("RESEARCH_COLLECTIVE_TIMEOUT=0: give a number of seconds above 0.",
            Assert.Throws<ArgumentException>(() => LaunchEnvironment.Timeout(Env(("RESEARCH_COLLECTIVE_TIMEOUT", "0")))).Message);
    }
}
