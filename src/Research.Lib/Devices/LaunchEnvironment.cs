using System.Globalization;

namespace Research.Lib.Devices;

/// <summary>
/// Where this process stands in a multi-process job, read from the variables the usual launchers set: torchrun's
/// (<c>RANK</c>, <c>WORLD_SIZE</c>, <c>LOCAL_RANK</c>, <c>MASTER_ADDR</c>, <c>MASTER_PORT</c>; also what
/// <c>research launch</c> sets), Slurm's <c>srun</c> (<c>SLURM_PROCID</c>, <c>SLURM_NTASKS</c>, <c>SLURM_LOCALID</c>)
/// and Open MPI's <c>mpirun</c> (<c>OMPI_COMM_WORLD_RANK</c>, <c>_SIZE</c>, <c>_LOCAL_RANK</c>), in that order of
/// precedence. Under srun and mpirun <c>MASTER_ADDR</c> and <c>MASTER_PORT</c> still name the rendezvous (the first
/// node and a free port), as PyTorch's env:// initialization needs them.
/// </summary>
public sealed record LaunchEnvironment(int Rank, int WorldSize, int LocalRank, string MasterAddress, int MasterPort, string Launcher)
{
    /// <summary>
    /// The job's processes on this node: torchrun's <c>LOCAL_WORLD_SIZE</c>, srun's <c>SLURM_NTASKS_PER_NODE</c>, mpirun's
    /// <c>OMPI_COMM_WORLD_LOCAL_SIZE</c>; null when the launcher does not say.
    /// </summary>
    public int? ProcessesOnNode { get; init; }

    /// <summary>
    /// The intra-op threads each process of the job uses on CPU: the node's cores shared by its processes (at least 1), as
    /// torchrun's OMP_NUM_THREADS is meant to be set. Without the count of processes on the node, a job whose MASTER_ADDR
    /// is this machine's loopback has all its processes here; otherwise null (the cores are left to libtorch). Four threads
    /// on two cores are slower, and they made a job's result depend on the machine's load: with two processes of two
    /// threads each on two busy cores, about one run in ten ended with different last bits in the weights (one thread
    /// each: 20 runs of 20 the same).
    /// </summary>
    public int? ThreadsPerProcess(int cores)
    {
        var here = ProcessesOnNode ?? (IsLoopback(MasterAddress) ? WorldSize : null);
        return here is { } n ? Math.Max(1, cores / n) : null;  // n ≥ 1: Parse refuses a node of 0 processes, and a world of 1 is no launch
    }

    /// <summary>PyTorch's default collective timeout (30 minutes), unless RESEARCH_COLLECTIVE_TIMEOUT gives seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The process environment's launch, or null for a single process (no launcher variables, or a world of 1).</summary>
    public static LaunchEnvironment? FromProcess() => Parse(Environment.GetEnvironmentVariable);

    /// <summary>
    /// The launch <paramref name="get"/> describes, or null for a single process. A variable that is not a number, a rank
    /// outside the world, or a world without MASTER_ADDR / MASTER_PORT is an error naming the variable.
    /// </summary>
    public static LaunchEnvironment? Parse(Func<string, string?> get)
    {
        ArgumentNullException.ThrowIfNull(get);
        var (rankName, sizeName, localName, nodeName, launcher) =
            get("WORLD_SIZE") is not null ? ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "torchrun")
            : get("SLURM_NTASKS") is not null && get("SLURM_PROCID") is not null ? ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID", "SLURM_NTASKS_PER_NODE", "srun")
            : get("OMPI_COMM_WORLD_SIZE") is not null ? ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE", "mpirun")
            : (null, null, null, null, null);
        if (launcher is null) return null;
        var size = Number(get, sizeName!, required: true)!.Value;
        if (size < 1) throw new ArgumentException($"{sizeName}={size}: a job has at least 1 process.");
        if (size == 1) return null;
        var rank = Number(get, rankName!, required: true)!.Value;
        if (rank < 0 || rank >= size) throw new ArgumentException($"{rankName}={rank}: outside the job's {size} processes (0 to {size - 1}).");
        var local = Number(get, localName!, required: false) ?? rank;
        var onNode = Number(get, nodeName!, required: false);
        if (onNode is < 1) throw new ArgumentException($"{nodeName}={onNode}: a node runs at least 1 process of the job.");
        var address = get("MASTER_ADDR");
        if (string.IsNullOrWhiteSpace(address))
            throw new ArgumentException($"{launcher} started {size} processes, but MASTER_ADDR is not set: export MASTER_ADDR (the first node's address) and MASTER_PORT (a free port) before starting them.");
        var port = Number(get, "MASTER_PORT", required: true)!.Value;
        if (port is < 1 or > 65535) throw new ArgumentException($"MASTER_PORT={port}: not a TCP port (1 to 65535).");
        return new LaunchEnvironment(rank, size, local, address.Trim(), port, launcher) { ProcessesOnNode = onNode };
    }

    /// <summary>The collective timeout: RESEARCH_COLLECTIVE_TIMEOUT (seconds) or <see cref="DefaultTimeout"/>.</summary>
    public static TimeSpan Timeout(Func<string, string?> get)
    {
        ArgumentNullException.ThrowIfNull(get);
        return Number(get, "RESEARCH_COLLECTIVE_TIMEOUT", required: false) is { } s
            ? s > 0 ? TimeSpan.FromSeconds(s) : throw new ArgumentException($"RESEARCH_COLLECTIVE_TIMEOUT={s}: give a number of seconds above 0.")
            : DefaultTimeout;
    }

    /// <summary>"rank 1 of 2" — how messages name this process.</summary>
    public override string ToString() => $"rank {Rank} of {WorldSize}";

    /// <summary>Whether <paramref name="address"/> is this machine's loopback (localhost, 127.0.0.1, ::1).</summary>
    internal static bool IsLoopback(string address) =>
        address.Equals("localhost", StringComparison.OrdinalIgnoreCase) || System.Net.IPAddress.TryParse(address, out var ip) && System.Net.IPAddress.IsLoopback(ip);

    private static int? Number(Func<string, string?> get, string name, bool required)
    {
        var text = get(name);
        if (string.IsNullOrWhiteSpace(text))
            return required ? throw new ArgumentException($"{name} is not set; a multi-process launch sets it for every process.") : null;
        return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n : throw new ArgumentException($"{name}={text}: not a whole number.");
    }
}
