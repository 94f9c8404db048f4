using System.CommandLine;
using System.Globalization;

namespace Research.Cli.Commands;

/// <summary>The <c>research</c> command tree (the program's entry point and the CLI tests build the same one).</summary>
internal static class CliApp
{
    public static RootCommand Create()
    {
        var root = new RootCommand("research: contrastive fine-tuning of text-embedding models (data, cleaning, mining, training, evaluation).");
        root.Subcommands.Add(DataCommands.Create());
        root.Subcommands.Add(EnvCommand.Create());
        root.Subcommands.Add(ModelCommands.Create());
        root.Subcommands.Add(ModelCommands.Encode()); // research encode = research model encode
        root.Subcommands.Add(NotebookCommands.Create());
        root.Subcommands.Add(EvalCommands.Create());
        root.Subcommands.Add(SearchCommands.Index());
        root.Subcommands.Add(SearchCommands.Bm25());
        root.Subcommands.Add(CleanMineCommands.Clean());
        root.Subcommands.Add(CleanMineCommands.Mine());
        root.Subcommands.Add(CleanMineCommands.Merge());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(LaunchCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        RefuseNonFiniteNumbers(root);
        return root;
    }

    /// <summary>Every number option of every verb refuses NaN and ±Infinity (which .NET parses as numbers) at parse time.</summary>
    private static void RefuseNonFiniteNumbers(Command command)
    {
        foreach (var option in command.Options)
        {
            var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            if (type != typeof(double) && type != typeof(float)) continue;
            option.Validators.Add(result =>
            {
                foreach (var token in result.Tokens)
                    if (double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && !double.IsFinite(value))
                        result.AddError($"{option.Name} {token.Value}: expected a finite number.");
            });
        }
        foreach (var sub in command.Subcommands) RefuseNonFiniteNumbers(sub);
    }
}
