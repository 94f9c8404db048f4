using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Research.Lib.Devices;

/// <summary>
/// torchrun's job in the kit's terms: starts <c>nproc_per_node</c> copies of a command on this node, each with the
/// variables of its place in the job (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT; rank =
/// node_rank × nproc_per_node + local rank), passes their output through (lines of ranks other than 0 prefixed
/// "[rank N] "), and waits for them all. When one ends with an error the others see it at their next collective and stop
/// with their own message; one that is still running a minute later is killed. The exit code is the first failing
/// process's, else 0.
/// </summary>
public static class ProcessLauncher
{
    /// <summary>
    /// The launcher's own options, checked before anything starts: at least one process and one node, the node's rank
    /// inside the job, a TCP port (0 = a free one, on one node only).
    /// </summary>
    public static void CheckOptions(int processesPerNode, int nodes, int nodeRank, int masterPort)
    {
        if (processesPerNode < 1) throw new ArgumentException($"--nproc-per-node {processesPerNode}: expected at least 1.");
        if (nodes < 1) throw new ArgumentException($"--nnodes {nodes}: expected at least 1.");
        if (nodeRank < 0 || nodeRank >= nodes) throw new ArgumentException($"--node-rank {nodeRank}: outside the job's {nodes} node(s) (0 to {nodes - 1}).");
        if (masterPort is < 0 or > 65535) throw new ArgumentException($"--master-port {masterPort}: not a TCP port.");
        if (masterPort == 0 && nodes > 1)
            throw new ArgumentException("--master-port: a job over several nodes needs the same port on every node; choose one (e.g. 29500).");
    }

    /// <summary>How long the other processes get to stop by themselves after one has failed.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromMinutes(1);

    /// <param name="command">the program and its arguments (e.g. dotnet research.dll train …)</param>
    /// <param name="processesPerNode">processes on this node</param>
    /// <param name="nodes">nodes in the job</param>
    /// <param name="nodeRank">this node's place (0 to nodes − 1)</param>
    /// <param name="masterAddress">rank 0's node (on one node: 127.0.0.1)</param>
    /// <param name="masterPort">the rendezvous port (0 on one node: a free port)</param>
    /// <param name="onLine">told each output line with the rank that wrote it (stdout and stderr alike)</param>
    public static int Run(IReadOnlyList<string> command, int processesPerNode, int nodes, int nodeRank, string masterAddress, int masterPort,
        Action<int, string> onLine)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(masterAddress);
        ArgumentNullException.ThrowIfNull(onLine);
        if (command.Count == 0) throw new ArgumentException("research launch: no command to start (give it after --, e.g. -- train --config …).");
        CheckOptions(processesPerNode, nodes, nodeRank, masterPort);
        if (masterPort == 0) masterPort = FreePort();
        var world = processesPerNode * nodes;
        var processes = new List<Process>();
        var pumps = new List<Task>();
        try
        {
            for (var local = 0; local < processesPerNode; local++)
            {
                var rank = nodeRank * processesPerNode + local;
                var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
                psi.Environment["RANK"] = rank.ToString(CultureInfo.InvariantCulture);
                psi.Environment["LOCAL_RANK"] = local.ToString(CultureInfo.InvariantCulture);
                psi.Environment["WORLD_SIZE"] = world.ToString(CultureInfo.InvariantCulture);
                psi.Environment["LOCAL_WORLD_SIZE"] = processesPerNode.ToString(CultureInfo.InvariantCulture);
                psi.Environment["GROUP_RANK"] = nodeRank.ToString(CultureInfo.InvariantCulture);
                psi.Environment["MASTER_ADDR"] = masterAddress;
                psi.Environment["MASTER_PORT"] = masterPort.ToString(CultureInfo.InvariantCulture);
                Process p;
                try { p = Process.Start(psi)!; }
                catch (System.ComponentModel.Win32Exception e)
                {
                    throw new ArgumentException($"research launch: cannot start {command[0]}: {e.Message}", e);
                }
                processes.Add(p);
                pumps.Add(Pump(p.StandardOutput, rank, onLine));
                pumps.Add(Pump(p.StandardError, rank, onLine));
            }
            // Wait for all; after the first failure, give the others the grace period to stop by themselves.
            int? failed = null;
            DateTime? deadline = null;
            while (processes.Any(p => !p.HasExited))
            {
                foreach (var p in processes.Where(p => p.HasExited && p.ExitCode != 0))
                {
                    failed ??= p.ExitCode;
                    deadline ??= DateTime.UtcNow + GracePeriod;
                }
                if (deadline is { } d && DateTime.UtcNow > d)
                    foreach (var p in processes.Where(p => !p.HasExited))
                    {
                        onLine(processes.IndexOf(p) + nodeRank * processesPerNode, $"research launch: still running {GracePeriod.TotalSeconds:0} s after another process failed; stopping it.");
                        p.Kill(entireProcessTree: true);
                    }
                Thread.Sleep(100);
            }
            Task.WaitAll([.. pumps]);
            return failed ?? processes.Select(p => p.ExitCode).FirstOrDefault(c => c != 0);
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.Dispose();
            }
        }
    }

    /// <summary>A TCP port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task Pump(StreamReader reader, int rank, Action<int, string> onLine) => Task.Run(() =>
    {
        while (reader.ReadLine() is { } line)
            lock (onLine) onLine(rank, line);
    });
}
