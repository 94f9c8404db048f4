using System.Text.Json.Nodes;
using Research.Lib.Experiments;

namespace Research.Lib.Tests.Experiments;

public class ExperimentTests
{
    private static string Grid(TempDir dir, string body)
    {
        File.WriteAllText(Path.Combine(dir.Path, "sts.tsv"), "a cat\ta kitten\t4.5\nthe sun\tmath homework\t0.5\na dog\ta puppy\t4\n");
        File.WriteAllText(Path.Combine(dir.Path, "tasks.json"), """{"tasks": [{"name": "S", "type": "STS", "data": "sts.tsv"}]}""");
        File.WriteAllText(Path.Combine(dir.Path, "train.jsonl"), "{\"query\": \"q\", \"pos\": [\"p\"]}\n");
        var path = Path.Combine(dir.Path, "grid.json");
        File.WriteAllText(path, body.Replace("TINY", TestPaths.ToyData.Replace("\\", "/") + "/tiny-bert"));
        return path;
    }

    private const string TwoByTwo = """
        {"name": "g", "models": {"m1": "TINY", "m2": "TINY"},
         "variants": [{"name": "a", "data": "train.jsonl"}, {"name": "b", "method": "simcse", "data": "train.jsonl", "overrides": {"epochs": 1}}],
         "seeds": [1, 2, 3], "tasks": "tasks.json", "baselines": ["hashed", "zero-shot"], "out": "out"}
        """;

    [Fact]
    public void TheGridIsBaselinesThenModelsVariantsSeeds()
    {
        using var dir = new TempDir();
        var spec = ExperimentSpec.Read(Grid(dir, TwoByTwo));
        var cells = spec.Cells();
        Assert.Equal(15, cells.Count);
        Assert.Equal(["hashed", "m1__zero-shot", "m2__zero-shot", "m1__a__seed1", "m1__a__seed2"], cells.Take(5).Select(c => c.Id));
        Assert.Equal("m2 / b", cells[^1].Group);
        Assert.Equal(Path.Combine(dir.Path, "out"), spec.Out);
        Assert.Equal(1, spec.Variants[1].Overrides["epochs"]!.GetValue<int>());
        Assert.Equal("supervised", spec.Variants[0].Method);
    }

    [Theory]
    [InlineData("""{"name": "g", "tasks": "tasks.json", "seeds": [1, 1], "baselines": ["hashed"]}""", "field 'seeds[1]': 1 is listed twice.")]
    [InlineData("""{"name": "g", "tasks": "tasks.json", "baselines": ["bm42"]}""", "field 'baselines[0]': 'bm42' is not one of zero-shot, bm25, hashed.")]
    [InlineData("""{"name": "g/x", "tasks": "tasks.json"}""", "field 'name': 'g/x' must be letters, digits, '.', '-' or '_' (it names folders).")]
    [InlineData("""{"name": "g", "tasks": "tasks.json", "models": {"m": "TINY"}, "variants": [{"name": "a", "data": "train.jsonl", "overrides": {"seed": 7}}]}""", "field 'variants[0].overrides.seed': the grid's seeds set each cell's seed; list them under \"seeds\".")]
    [InlineData("""{"name": "g", "tasks": "tasks.json", "models": {"m": "TINY"}, "variants": [{"name": "a", "method": "bert", "data": "train.jsonl"}]}""", "field 'variants[0].method': 'bert' is not one of supervised, simcse, esimcse, diffcse, reranker.")]
    [InlineData("""{"name": "g", "tasks": "tasks.json", "models": {"m": "TINY"}, "variants": [{"name": "a", "method": "diffcse", "data": "train.jsonl"}]}""", "field 'variants[0].generator': diffcse needs a generator model folder (from research train --method mlm).")]
    [InlineData("""{"name": "g", "tasks": "nope.json", "baselines": ["hashed"]}""", "field 'tasks': --tasks ")]
    [InlineData("""{"name": "g", "tasks": "tasks.json", "models": {"m": "TINY"}, "variants": [{"name": "a", "data": "train.jsonl", "eval_sts": "dev.tsv"}]}""", "field 'variants[0].eval_sts': ")]
    [InlineData("""{"name": "g", "tasks": "tasks.json", "models": {"m": "TINY"}, "variants": [{"name": "a", "method": "reranker", "data": "train.jsonl", "eval_pairs": "sts.tsv"}]}""", "field 'variants[0].eval_pairs': a reranker is evaluated on retrieval dev data (research train --eval), not on sentence pairs.")]
    [InlineData("""{"name": "g", "tasks": "tasks.json", "models": {"m": "TINY"}, "variants": [{"name": "a", "data": "train.jsonl", "eval": "sts.tsv"}]}""", "field 'variants[0].eval': unknown (fields: name, method, config, data, overrides, generator, eval_sts, eval_pairs).")]
    [InlineData("", "the file is empty; expected JSON.")]
    [InlineData("""{"name": "g", "task": "tasks.json"}""", "field 'task': unknown (fields: name, description, models, variants, seeds, tasks, baselines, keep_models, out).")]
    public void BadGridsNameTheField(string body, string expected)
    {
        using var dir = new TempDir();
        var path = Grid(dir, body);
        Assert.StartsWith($"{path}: {expected}", Assert.Throws<InvalidDataException>(() => ExperimentSpec.Read(path)).Message);
    }

    [Fact]
    public void AVariantWithDevPairsTrainsWithThemAndKeepsItsBestStep()
    {
        using var dir = new TempDir();
        var path = Grid(dir, """
            {"name": "g", "tasks": "tasks.json", "models": {"m": "TINY"}, "baselines": [],
             "variants": [{"name": "a", "data": "TOY/toy_source.json", "eval_sts": "TOY/toy_sts.tsv", "eval_pairs": "TOY/toy_pairs.tsv",
                           "overrides": {"batch_size": 8, "max_steps": 4, "evaluate_every": 2, "log_every": 2, "learning_rate": 0.001}}]}
            """.Replace("TOY", TestPaths.ToyData.Replace("\\", "/")));
        var spec = ExperimentSpec.Read(path);
        Assert.Equal(Path.Combine(TestPaths.ToyData, "toy_sts.tsv"), spec.Variants[0].EvalSts);
        Assert.Contains(ExperimentManifest.HashInputs(spec).Keys, k => k.EndsWith("toy_pairs.tsv", StringComparison.Ordinal));
        var cell = spec.Cells().Single();
        var cellDir = Path.Combine(dir.Path, "cell");
        Directory.CreateDirectory(cellDir);
        var model = ExperimentTraining.InProcess(Research.Lib.Devices.DeviceSpec.Cpu)(cell, cellDir);
        var log = File.ReadAllLines(Path.Combine(cellDir, "train.log"));
        Assert.EndsWith($" --eval-sts {spec.Variants[0].EvalSts} --eval-pairs {spec.Variants[0].EvalPairs}", log[0]);
        Assert.Equal(2, log.Count(l => l.Contains("sts_spearman", StringComparison.Ordinal) && l.Contains("pairs_ap", StringComparison.Ordinal)));
        Assert.Matches(@"^4 steps on \d+ records -> .*; best main_score -?\d+\.\d+ at step [24]$", log[^1]);
        Assert.True(File.Exists(Path.Combine(model, "config.json")));
    }

    [Fact]
    public void AggregateHasMeanAndSampleSd()
    {
        ExperimentCellResult Cell(string group, ulong? seed, double v) =>
            new($"{group}{seed}", group, seed, "done", new Dictionary<string, double> { ["S"] = v }, 1, 1, null, DateTimeOffset.UnixEpoch);
        var aggregate = ExperimentAggregate.From([Cell("m / a", 1, 0.5), Cell("m / a", 2, 0.7), Cell("m / a", 3, 0.6), Cell("bm25", null, 0.25),
            new ExperimentCellResult("x", "m / b", 1, "failed", new Dictionary<string, double>(), 0, 0, "boom", DateTimeOffset.UnixEpoch)], ["S"]);
        var row = aggregate.Rows[0];
        Assert.Equal(3, row.N);
        Assert.Equal(0.6, row.Mean, 12);
        Assert.Equal(0.1, row.Sd!.Value, 12);
        Assert.Null(aggregate.Rows[1].Sd);
        Assert.Equal("| model / variant | S |\n|---|---:|\n| m / a | 60.00 ± 10.00 (n=3) |\n| bm25 | 25.00 |\n", aggregate.ToMarkdown());
    }

    [Fact]
    public void AFailingCellIsRecordedTheRestContinueAndARerunFinishesOnlyTheMissingCells()
    {
        using var dir = new TempDir();
        var spec = ExperimentSpec.Read(Grid(dir, TwoByTwo));
        var trained = new List<string>();
        var log = new List<string>();
        // The fake trainer returns the untrained model (evaluation is real); m2 / b / seed 2 fails.
        string Train(ExperimentCell cell, string cellDir)
        {
            trained.Add(cell.Id);
            if (cell.Id == "m2__b__seed2") throw new InvalidOperationException("out of patience");
            return cell.ModelPath!;
        }
        var first = ExperimentRunner.Run(spec, Train, log.Add);
        Assert.Equal(12, trained.Count);
        Assert.Equal([("m2__b__seed2", "out of patience")], first.Failed);
        Assert.Contains("[14/15] m2__b__seed2: FAILED (InvalidOperationException): out of patience; the other cells go on, and a rerun retries this one", log);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(spec.Out, "manifest.json")))!;
        Assert.Equal(15, manifest["cells"]!.AsArray().Count);
        Assert.Equal("failed", manifest["cells"]![13]!["status"]!.GetValue<string>());
        Assert.Equal("done", manifest["cells"]![14]!["status"]!.GetValue<string>());
        Assert.Equal([1UL, 2UL, 3UL], manifest["seeds"]!.AsArray().Select(s => s!.GetValue<ulong>()));
        Assert.Equal(64, manifest["file_sha256"]!.AsObject().First().Value!.GetValue<string>().Length);
        Assert.Equal("g", manifest["config"]!["name"]!.GetValue<string>());
        Assert.NotNull(manifest["finished"]);
        // m2 / b has two seeds: the failed one is not averaged in.
        Assert.Equal(2, first.Aggregate.Rows.Single(r => r.Group == "m2 / b").N);
        Assert.False(Directory.Exists(Path.Combine(spec.Out, "results", "m2__b__seed2")));

        trained.Clear();
        var second = ExperimentRunner.Run(spec, (c, d) => { trained.Add(c.Id); return c.ModelPath!; }, log.Add);
        Assert.Equal(["m2__b__seed2"], trained);
        Assert.Equal(14, second.Skipped);
        Assert.Empty(second.Failed);
        Assert.Equal(3, second.Aggregate.Rows.Single(r => r.Group == "m2 / b").N);
        // Every cell evaluated the same untrained model: sd 0, and the same score as the zero-shot row.
        Assert.Equal(0, second.Aggregate.Rows.Single(r => r.Group == "m1 / a").Sd);
        Assert.Equal(second.Aggregate.Rows.Single(r => r.Group == "m1 / zero-shot").Mean, second.Aggregate.Rows.Single(r => r.Group == "m2 / b").Mean, 12);
        Assert.True(File.Exists(Path.Combine(spec.Out, "results", "summary.md")));
        Assert.True(File.Exists(Path.Combine(spec.Out, "aggregate.csv")));
        var (grid, records, aggregate) = ExperimentRunner.Status(spec);
        Assert.Equal(15, grid.Count);
        Assert.All(records, r => Assert.True(r!.Done));
        Assert.Equal(second.Aggregate.ToMarkdown(), aggregate.ToMarkdown());
    }
}
