using System.CommandLine;
using Research.Cli.Commands;
using Research.Lib.Devices;

TorchRuntime.Initialize(); // before anything loads libtorch

var root = new RootCommand("research: contrastive fine-tuning of text-embedding models (data, cleaning, mining, training, evaluation).");
root.Subcommands.Add(DataCommands.Create());
root.Subcommands.Add(EnvCommand.Create());
root.Subcommands.Add(ModelCommands.Create());
root.Subcommands.Add(NotebookCommands.Create());
root.Subcommands.Add(EvalCommands.Create());
root.Subcommands.Add(SearchCommands.Index());
root.Subcommands.Add(SearchCommands.Bm25());
return await root.Parse(args).InvokeAsync();
