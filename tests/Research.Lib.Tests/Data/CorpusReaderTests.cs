using Research.Lib.Data;

namespace Research.Lib.Tests.Data;

public class CorpusReaderTests
{
    [Fact]
    public void ReadsBeirJsonlWithStringAndNumberIds()
    {
        using var dir = new TempDir();
        var path = dir.File("corpus.txt", "{\"_id\": \"a\", \"title\": \"T\", \"text\": \"x\"}\n\n{\"_id\": 7, \"text\": \"y\"}\n");
        Assert.Equal([new CorpusDocument("a", "T", "x"), new CorpusDocument("7", "", "y")], CorpusReader.ReadDocuments(path).ToList());
    }

    [Fact]
    public void ReadsPlainTextWithLineOrderIds()
    {
        using var dir = new TempDir();
        var path = dir.File("docs.jsonl", "first doc\n\n  second doc  \n");
        Assert.Equal([new CorpusDocument("0", "", "first doc"), new CorpusDocument("1", "", "second doc")], CorpusReader.ReadDocuments(path).ToList());
    }

    [Fact]
    public void LenientModeReportsBadLinesAndKeepsTheRest()
    {
        using var dir = new TempDir();
        var path = dir.File("q.jsonl", "{\"_id\": \"1\", \"text\": \"ok\"}\n{\"text\": \"no id\"}\n{\"_id\": \"1\", \"text\": \"dup\"}\n");
        var report = new SkipReport();
        var queries = CorpusReader.ReadQueries(path, ReadOptions.Lenient(report)).ToList();
        Assert.Equal([new EvalQuery("1", "ok")], queries);
        Assert.Equal([$"{path}:2: field '_id': missing; BEIR records need an _id", $"{path}:3: field '_id': duplicate query id '1'"],
            report.Records.Select(r => r.ToString()));
    }
}
