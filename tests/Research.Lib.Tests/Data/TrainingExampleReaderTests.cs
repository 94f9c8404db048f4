using System.Text;
using Research.Lib.Data;
using Research.Lib.IO;

namespace Research.Lib.Tests.Data;

public class TrainingExampleReaderTests
{
    [Fact]
    public void ReadsEveryFlagEmbeddingField()
    {
        using var dir = new TempDir();
        var path = dir.File("a.jsonl",
            """{"query": "什么是复利？", "pos": ["复利是利滚利。"], "neg": ["单利只按本金计息。", "通胀"], "pos_scores": [0.9], "neg_scores": [0.2, 0.1], "prompt": "为这个句子生成表示：", "type": "retrieval", "extra": 1}""" + "\n");
        var e = Assert.Single(TrainingExampleReader.Read(path));
        Assert.Equal("什么是复利？", e.Query);
        Assert.Equal(["复利是利滚利。"], e.Pos);
        Assert.Equal(["单利只按本金计息。", "通胀"], e.Neg);
        Assert.Equal([0.9], e.PosScores!);
        Assert.Equal([0.2, 0.1], e.NegScores!);
        Assert.Equal("为这个句子生成表示：", e.Prompt);
        Assert.Equal("retrieval", e.Type);
    }

    [Fact]
    public void AcceptsPosPassageAliasesAndOptionalNeg()
    {
        using var dir = new TempDir();
        var path = dir.File("a.jsonl",
            """{"query": "q1", "pos_passage": ["p1"], "neg_passage": ["n1"]}""" + "\n" + """{"query": "q2", "pos": ["p2"]}""");
        var all = TrainingExampleReader.Read(path).ToList();
        Assert.Equal(new TrainingExample("q1", ["p1"], ["n1"]), all[0]);
        Assert.Equal(new TrainingExample("q2", ["p2"], []), all[1]);
        Assert.Null(all[1].PosScores);
    }

    [Fact]
    public void CopesWithBomCrlfBlankLinesAndNoFinalNewline()
    {
        using var dir = new TempDir();
        var path = dir.File("a.jsonl",
            "{\"query\": \"a\", \"pos\": [\"x\"]}\r\n\r\n   \r\n{\"query\": \"b\", \"pos\": [\"y\"]}", bom: true);
        var all = TrainingExampleReader.Read(path).ToList();
        Assert.Equal(["a", "b"], all.Select(e => e.Query));
        Assert.Equal(["x", "y"], all.Select(e => e.Pos[0]));
    }

    [Fact]
    public void ReadsLinesLongerThanTheReadBuffer()
    {
        using var dir = new TempDir();
        var longText = new string('长', 100_000);
        var path = dir.File("a.jsonl", $"{{\"query\": \"q\", \"pos\": [\"{longText}\"]}}\n{{\"query\": \"r\", \"pos\": [\"s\"]}}\n");
        var all = TrainingExampleReader.Read(path).ToList();
        Assert.Equal(100_000, all[0].Pos[0].Length);
        Assert.Equal("r", all[1].Query);
    }

    public static TheoryData<string, string> BadLines => new()
    {
        { "{\"query\": \"q\", \"pos\": [\"p\"]", "a.jsonl:2: malformed JSON at byte 28: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed" },
        { "{'query': '四季青', 'pos': ['p']}", "a.jsonl:2: not JSON: strings use Python-style single quotes (e.g. ['text']); JSON needs double quotes (write records with json.dumps(record, ensure_ascii=False))" },
        { "{\"query\": \"q\", \"pos\": [\"p\"], \"neg\": ['n']}", "a.jsonl:2: not JSON: strings use Python-style single quotes (e.g. ['text']); JSON needs double quotes (write records with json.dumps(record, ensure_ascii=False))" },
        { "{\"pos\": [\"p\"]}", "a.jsonl:2: field 'query': missing" },
        { "{\"query\": \"  \", \"pos\": [\"p\"]}", "a.jsonl:2: field 'query': is empty" },
        { "{\"query\": [\"q\"], \"pos\": [\"p\"]}", "a.jsonl:2: field 'query': expected a string, found a list" },
        { "{\"query\": \"q\", \"neg\": [\"n\"]}", "a.jsonl:2: field 'pos': missing (a training record needs \"pos\": [\"...\"], or \"pos_passage\")" },
        { "{\"query\": \"q\", \"pos\": []}", "a.jsonl:2: field 'pos': is an empty list; a training record needs at least one positive" },
        { "{\"query\": \"q\", \"pos\": \"p\"}", "a.jsonl:2: field 'pos': expected a list of strings, found a single string (wrap it in [ ])" },
        { "{\"query\": \"q\", \"pos\": [\"p\", 3]}", "a.jsonl:2: field 'pos[1]': expected a string, found a number" },
        { "{\"query\": \"q\", \"pos\": [\"p\"], \"neg\": [\"\"]}", "a.jsonl:2: field 'neg[0]': is empty" },
        { "{\"query\": \"q\", \"pos\": [\"p\"], \"pos_scores\": [1, 2]}", "a.jsonl:2: field 'pos_scores': has 2 values but pos has 1" },
        { "{\"query\": \"q\", \"pos\": [\"p\"], \"neg\": [\"n\"], \"neg_scores\": []}", "a.jsonl:2: field 'neg_scores': has 0 values but neg has 1" },
        { "{\"query\": \"q\", \"pos\": [\"p\"], \"pos_scores\": [NaN]}", "a.jsonl:2: not JSON: contains a bare NaN (Python's json.dumps writes it for non-finite floats; scores must be finite numbers)" },
        { "{\"query\": \"q\", \"pos\": [\"p\"], \"pos_scores\": [1e400]}", "a.jsonl:2: field 'pos_scores[0]': 1e400 is not a finite number" },
        { "{\"query\": \"q\", \"pos\": [\"p\"], \"pos_scores\": [\"0.5\"]}", "a.jsonl:2: field 'pos_scores[0]': expected a number, found a string" },
        { "[\"q\", \"p\"]", "a.jsonl:2: expected a JSON object {...} on each line, found a list" },
        { "{\"query\": \"q\", \"pos\": [\"p\"], \"pos_passage\": [\"p\"]}", "a.jsonl:2: field 'pos_passage': both \"pos\" and \"pos_passage\" are present; use one of them" },
        { "{\"query\": \"q\", \"pos\": [\"p\"], \"prompt\": 5}", "a.jsonl:2: field 'prompt': expected a string, found a number" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void StrictModeStopsWithFileLineAndField(string badLine, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("a.jsonl", "{\"query\": \"ok\", \"pos\": [\"p\"]}\n" + badLine + "\n{\"query\": \"later\", \"pos\": [\"p\"]}\n");
        var error = Assert.Throws<DataFormatException>(() => TrainingExampleReader.Read(path).ToList());
        Assert.Equal(path + expected["a.jsonl".Length..], error.Message);
        Assert.Equal(2, error.LineNumber);
    }

    [Fact]
    public void InvalidUtf8NamesTheByte()
    {
        using var dir = new TempDir();
        var good = Encoding.UTF8.GetBytes("{\"query\": \"ok\", \"pos\": [\"p\"]}\n");
        byte[] bad = [.. Encoding.UTF8.GetBytes("{\"query\": \"ab"), 0xC4, 0xE3, .. Encoding.UTF8.GetBytes("\", \"pos\": [\"p\"]}\n")];
        var path = dir.Bytes("gbk.jsonl", [.. good, .. bad]);
        var error = Assert.Throws<DataFormatException>(() => TrainingExampleReader.Read(path).ToList());
        Assert.Equal($"{path}:2: invalid UTF-8 at byte 14 of the line (is the file in another encoding, such as GBK? convert it to UTF-8)", error.Message);
    }

    [Fact]
    public void LenientModeSkipsAndReportsEveryBadLine()
    {
        using var dir = new TempDir();
        var path = dir.File("a.jsonl", string.Join("\n",
            "{\"query\": \"a\", \"pos\": [\"x\"]}",
            "{\"query\": \"b\"}",
            "",
            "not json",
            "{\"query\": \"c\", \"pos\": [\"z\"]}"));
        var report = new SkipReport();
        var kept = TrainingExampleReader.Read(path, ReadOptions.Lenient(report)).Select(e => e.Query).ToList();
        Assert.Equal(["a", "c"], kept);
        Assert.Equal([2L, 4L], report.Records.Select(r => r.LineNumber));
        Assert.Equal(["pos", null], report.Records.Select(r => r.Field));

        var reportPath = Path.Combine(dir.Path, "skipped.tsv");
        report.WriteTsv(reportPath);
        var lines = File.ReadAllLines(reportPath);
        Assert.Equal("file\tline\tfield\treason", lines[0]);
        Assert.Equal($"{path}\t2\tpos\tmissing (a training record needs \"pos\": [\"...\"], or \"pos_passage\")", lines[1]);
        Assert.StartsWith($"{path}\t4\t\tmalformed JSON at byte 2:", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void LenientWithoutReportIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => TrainingExampleReader.Read("x.jsonl", new ReadOptions { Mode = ReadMode.Lenient }));
        Assert.StartsWith("ReadOptions.Report must be set when Mode is Lenient", error.Message);
    }

    [Fact]
    public void MissingFileSaysSo()
    {
        var error = Assert.Throws<FileNotFoundException>(() => TrainingExampleReader.Read("/nonexistent/x.jsonl"));
        Assert.Equal("/nonexistent/x.jsonl: file not found.", error.Message);
    }
}
