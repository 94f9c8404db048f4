using System.CommandLine;
using System.Globalization;
using Research.Lib.Devices;

namespace Research.Cli.Commands;

/// <summary>
/// <c>research launch</c>: torchrun for the kit — starts N processes of a <c>research</c> verb on this node with RANK,
/// LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set, e.g. <c>research launch --nproc-per-node 2 -- train …</c>.
/// </summary>
internal static class LaunchCommand
{
    public static Command Create()
    {
        var perNode = new Option<int>("--nproc-per-node") { Description = "Processes on this node (one per GPU, or a few on a CPU node).", DefaultValueFactory = _ => 1 };
        var nodes = new Option<int>("--nnodes") { Description = "Nodes in the job; start research launch on each.", DefaultValueFactory = _ => 1 };
        var nodeRank = new Option<int>("--node-rank") { Description = "This node's place in the job (0 to nnodes − 1); node 0 holds rank 0.", DefaultValueFactory = _ => 0 };
        var address = new Option<string>("--master-addr") { Description = "The address of node 0, where rank 0 serves the rendezvous.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--master-port") { Description = "The rendezvous port on node 0 (default on one node: a free port; several nodes: give one, e.g. 29500)." };
        var command = new Argument<string[]>("verb") { Arity = ArgumentArity.OneOrMore, Description = "The research verb and its options, after -- (e.g. -- train --config c.json --model m --data d.jsonl --out o)." };
        var cmd = new Command("launch", "Start several processes of a research verb as one data-parallel job (torchrun's variables: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT); gradients are summed through Gloo.")
        {
            perNode, nodes, nodeRank, address, port, command,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var verb = r.GetValue(command)!;
            ProcessLauncher.CheckOptions(r.GetValue(perNode), r.GetValue(nodes), r.GetValue(nodeRank), r.GetValue(port));
            CheckVerb(verb);
            var self = Environment.ProcessPath ?? "dotnet";
            var program = Path.GetFileNameWithoutExtension(self) == "dotnet"
                ? new List<string> { self, typeof(LaunchCommand).Assembly.Location }
                : [self];
            var exit = ProcessLauncher.Run([.. program, .. verb], r.GetValue(perNode), r.GetValue(nodes), r.GetValue(nodeRank),
                r.GetValue(address)!, r.GetValue(port), (rank, line) =>
                {
                    if (rank == 0) Console.WriteLine(line);
                    else Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[rank {rank}] {line}"));
                });
            if (exit != 0) throw new CliExit(exit);
        }));
        return cmd;
    }

    /// <summary>
    /// The verb's command line parsed here once, before any process starts: a missing or unknown option is said once, not
    /// once by every rank.
    /// </summary>
    private static void CheckVerb(string[] verb)
    {
        if (verb[0] == "launch") throw new ArgumentException("research launch -- launch: a launcher cannot start launchers; give the verb to run (e.g. -- train …).");
        var parsed = CliApp.Create().Parse(verb);
        if (parsed.Errors.Count == 0) return;
        var path = new List<string>();
        for (var c = parsed.CommandResult; c is not null && c.Command is not RootCommand; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            path.Insert(0, c.Command.Name);
        if (path.Count == 0) throw new ArgumentException($"research launch -- {verb[0]}: not a research verb (research --help lists them); no process was started.");
        throw new ArgumentException($"research launch -- {string.Join(' ', path)}: {string.Join(" ", parsed.Errors.Select(e => e.Message))} (research {string.Join(' ', path)} --help lists the options); no process was started.");
    }
}
