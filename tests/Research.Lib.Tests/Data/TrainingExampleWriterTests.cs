using Research.Lib.Data;

namespace Research.Lib.Tests.Data;

public class TrainingExampleWriterTests
{
    [Fact]
    public void WritesFlagEmbeddingJsonlThatReadsBackEqual()
    {
        using var dir = new TempDir();
        var examples = new[]
        {
            new TrainingExample("四季青怎么炮制？", ["切丝，干燥。"], ["多吃蔬菜。"], [1.0], [0.25], "Represent: ", "retrieval"),
            new TrainingExample("what is \"git rebase\"?", ["It replays commits.\nOn a new base."]),
        };
        var path = Path.Combine(dir.Path, "out", "train.jsonl");
        Assert.Equal(2, TrainingExampleWriter.Write(path, examples));
        var lines = File.ReadAllLines(path);
        Assert.Equal("""{"query":"四季青怎么炮制？","pos":["切丝，干燥。"],"neg":["多吃蔬菜。"],"pos_scores":[1],"neg_scores":[0.25],"prompt":"Represent: ","type":"retrieval"}""", lines[0]);
        Assert.Equal("""{"query":"what is \"git rebase\"?","pos":["It replays commits.\nOn a new base."],"neg":[]}""", lines[1]);
        Assert.Equal(examples, TrainingExampleReader.Read(path).ToArray());
    }

    [Fact]
    public void AFailedWriteLeavesThePreviousFileAndNoTemporaryFile()
    {
        using var dir = new TempDir();
        var path = dir.File("train.jsonl", "old contents\n");
        IEnumerable<TrainingExample> Failing()
        {
            yield return new TrainingExample("q", ["p"]);
            throw new IOException("disk full");
        }
        Assert.Throws<IOException>(() => TrainingExampleWriter.Write(path, Failing()));
        Assert.Equal("old contents\n", File.ReadAllText(path));
        Assert.Equal(["train.jsonl"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
