using Research.Lib.Data;
using Research.Lib.IO;

namespace Research.Lib.Tests.Data;

public class EvalFormatReaderTests
{
    [Fact]
    public void SeedEvalFormatBuildsCorpusFromPositivesAndNegatives()
    {
        using var dir = new TempDir();
        var q = dir.File("toy_dev.json",
            "{\"query\": \"q1\", \"pos_passage\": [\"A\", \"B\"]}\n{\"query\": \"q2\", \"pos_passage\": [\"B\"]}\n");
        var n = dir.File("toy_dev_neg.json", "{\"neg_passage\": [\"C\", \"A\"]}\r\n{\"neg_passage\": [\"D\"]}");
        var ds = QueryPassageEvalReader.Read(q, n);
        Assert.Equal([new EvalQuery("q1", "q1"), new EvalQuery("q2", "q2")], ds.Queries);
        Assert.Equal(["d1:A", "d2:B", "d3:C", "d4:D"], ds.Corpus.Select(d => $"{d.Id}:{d.Text}"));
        Assert.Equal(new Dictionary<string, int> { ["d1"] = 1, ["d2"] = 1 }, ds.Qrels["q1"]);
        Assert.Equal(new Dictionary<string, int> { ["d2"] = 1 }, ds.Qrels["q2"]);
    }

    [Fact]
    public void SeedEvalFormatRejectsPythonQuotedNegatives()
    {
        using var dir = new TempDir();
        var q = dir.File("q.json", "{\"query\": \"q1\", \"pos_passage\": [\"A\"]}\n");
        var n = dir.File("n.json", "{\"neg_passage\": ['平时多注意锻炼。']}\n");
        var error = Assert.Throws<DataFormatException>(() => QueryPassageEvalReader.Read(q, n));
        Assert.Equal($"{n}:1: not JSON: strings use Python-style single quotes (e.g. ['text']); JSON needs double quotes (write records with json.dumps(record, ensure_ascii=False))", error.Message);
    }

    [Fact]
    public void BeirFolderKeepsJudgedQueriesOfTheSplit()
    {
        using var dir = new TempDir();
        dir.File("beir/corpus.jsonl", "{\"_id\": \"d1\", \"title\": \"T1\", \"text\": \"x\"}\n{\"_id\": \"d2\", \"title\": \"\", \"text\": \"y\"}\n{\"_id\": 3, \"text\": \"z\"}\n", bom: true);
        dir.File("beir/queries.jsonl", "{\"_id\": \"1\", \"text\": \"first\"}\n{\"_id\": \"2\", \"text\": \"second\"}\n{\"_id\": \"3\", \"text\": \"third\"}");
        dir.File("beir/qrels/test.tsv", "query-id\tcorpus-id\tscore\r\n1\td1\t1\r\n1\t3\t2\r\n3\td2\t0\r\n");
        var ds = BeirReader.Read(Path.Combine(dir.Path, "beir"));
        Assert.Equal(["1:first", "3:third"], ds.Queries.Select(x => $"{x.Id}:{x.Text}"));
        Assert.Equal(["d1|T1|x", "d2||y", "3||z"], ds.Corpus.Select(d => $"{d.Id}|{d.Title}|{d.Text}"));
        Assert.Equal("T1 x", ds.Corpus[0].FullText);
        Assert.Equal(new Dictionary<string, int> { ["d1"] = 1, ["3"] = 2 }, ds.Qrels["1"]);
        Assert.Equal(new Dictionary<string, int> { ["d2"] = 0 }, ds.Qrels["3"]);
    }

    [Fact]
    public void BeirJudgmentOfUnknownDocumentNamesQrelsLine()
    {
        using var dir = new TempDir();
        dir.File("b/corpus.jsonl", "{\"_id\": \"d1\", \"text\": \"x\"}\n");
        dir.File("b/queries.jsonl", "{\"_id\": \"1\", \"text\": \"q\"}\n");
        var qrels = dir.File("b/qrels/test.tsv", "query-id\tcorpus-id\tscore\n1\td1\t1\n1\td9\t1\n");
        var error = Assert.Throws<DataFormatException>(() => BeirReader.Read(Path.Combine(dir.Path, "b")));
        Assert.Equal($"{qrels}:3: field 'corpus-id': document 'd9' is not in corpus.jsonl", error.Message);

        var report = new SkipReport();
        var ds = BeirReader.Read(Path.Combine(dir.Path, "b"), "test", ReadOptions.Lenient(report));
        Assert.Equal(new Dictionary<string, int> { ["d1"] = 1 }, ds.Qrels["1"]);
        Assert.Equal(3, Assert.Single(report.Records).LineNumber);
    }

    [Fact]
    public void PairsWithAndWithoutHeader()
    {
        using var dir = new TempDir();
        var withHeader = dir.File("h.tsv", "sentence1\tsentence2\tlabel\r\n今天天气好\t天气不错\t1\r\nA\tB\t0");
        var scored = dir.File("s.tsv", "一只猫\t一只小猫\t4.8\n\n狗\t车\t0.2\n", bom: true);
        Assert.Equal([new TextPair("今天天气好", "天气不错", 1), new TextPair("A", "B", 0)], TextPairReader.Read(withHeader));
        Assert.Equal([new TextPair("一只猫", "一只小猫", 4.8), new TextPair("狗", "车", 0.2)], TextPairReader.Read(scored));
    }

    [Theory]
    [InlineData("a\tb\t1\nc\td\n", "p.tsv:2: expected 3 tab-separated columns (sentence1, sentence2, label or score), found 2")]
    [InlineData("a\tb\t1\nc\td\tyes\n", "p.tsv:2: field 'label': 'yes' is not a number")]
    [InlineData("a\tb\t1\n\td\t1\n", "p.tsv:2: field 'sentence1': is empty")]
    [InlineData("a\tb\t1\nc\td\t1\textra\n", "p.tsv:2: expected 3 tab-separated columns (sentence1, sentence2, label or score), found 4")]
    public void BadPairsNameLineAndField(string contents, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("p.tsv", contents);
        var error = Assert.Throws<DataFormatException>(() => TextPairReader.Read(path).ToList());
        Assert.Equal(dir.Path + "/" + expected, error.Message);
    }

    [Fact]
    public void CsvWithQuotedCommasQuotesAndLineBreaks()
    {
        using var dir = new TempDir();
        var path = dir.File("qa.csv",
            "question,answer,context,ticker,filing\r\n" +
            "\"What is X, exactly?\",Y,\"Line one\r\nline \"\"two\"\"\",NVDA,2023_10K\r\n" +
            "Plain?,Yes,ctx,AAPL,2022_10K");
        var rows = CsvReader.Read(path).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("What is X, exactly?", rows[0]["question"]);
        Assert.Equal("Line one\nline \"two\"", rows[0]["context"]);
        Assert.Equal(2, rows[0].LineNumber);
        Assert.Equal(4, rows[1].LineNumber);
        Assert.Equal("AAPL", rows[1]["ticker"]);

        var examples = CsvReader.ReadTrainingExamples(path, "question", "context").ToList();
        Assert.Equal(new TrainingExample("Plain?", ["ctx"]), examples[1]);
    }

    [Fact]
    public void CsvErrorsNameLineAndColumn()
    {
        using var dir = new TempDir();
        var path = dir.File("qa.csv", "question,answer\nA,B\nC,D,E\n");
        var error = Assert.Throws<DataFormatException>(() => CsvReader.Read(path).ToList());
        Assert.Equal($"{path}:3: expected 2 comma-separated fields as in the header, found 3", error.Message);

        var missing = Assert.Throws<DataFormatException>(() => CsvReader.ReadTrainingExamples(path, "question", "context").ToList());
        Assert.Equal($"{path}:1: field 'context': required column is missing; the header has: question, answer", missing.Message);

        var unclosed = dir.File("u.csv", "a,b\n\"x,y\n");
        var e2 = Assert.Throws<DataFormatException>(() => CsvReader.Read(unclosed).ToList());
        Assert.Equal($"{unclosed}:2: a quoted field is not closed before the end of the file", e2.Message);
    }

    [Fact]
    public void SentencesTrimmedBlankLinesSkipped()
    {
        using var dir = new TempDir();
        var path = dir.File("s.txt", "  第一句。 \r\n\r\nsecond one\n\t\nthird", bom: true);
        Assert.Equal(["第一句。", "second one", "third"], SentenceReader.Read(path));
    }
}
