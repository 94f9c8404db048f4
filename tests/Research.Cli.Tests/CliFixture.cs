using System.Text;
using Research.Lib.Modeling;
using Research.Lib.Search;

namespace Research.Cli.Tests;

/// <summary>A folder of bad (and a few good) inputs shared by the CLI tests.</summary>
public sealed class CliFixture : IDisposable
{
    public CliFixture()
    {
        Dir = Directory.CreateTempSubdirectory("research-cli-tests-").FullName;
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "Research.sln"))) repo = repo.Parent;
        ToyData = Path.Combine(repo!.FullName, "toy_data");
        TinyBert = Path.Combine(ToyData, "tiny-bert");

        Text("corpus.jsonl", "{\"_id\": \"d1\", \"title\": \"Cats\", \"text\": \"cats purr\"}\n{\"_id\": \"d2\", \"text\": \"dogs bark\"}\n{\"_id\": 3, \"text\": \"birds sing\"}\n");
        Text("queries.jsonl", "{\"_id\": \"q1\", \"text\": \"purring cats\"}\n{\"_id\": \"q2\", \"text\": \"barking\"}\n");
        Text("corpus_noid.jsonl", "{\"_id\": \"d1\", \"text\": \"a\"}\n{\"title\": \"t\", \"text\": \"no id here\"}\n");
        Text("corpus_training.jsonl", "{\"query\": \"q\", \"pos\": [\"p\"], \"neg\": []}\n");
        Text("corpus_array.json", "[{\"_id\": \"1\", \"text\": \"x\"}]\n");
        Bytes("corpus_badutf8.txt", [(byte)'o', (byte)'k', (byte)'\n', 0xFF, 0xFE, (byte)'x', (byte)'\n']);
        Text("corpus_badjson.jsonl", "{\"_id\": \"1\", \"text\": \"x\"}\n{\"_id\": \"2\", \"text\": \n");
        Text("corpus_dupid.jsonl", "{\"_id\": \"1\", \"text\": \"x\"}\n{\"_id\": \"1\", \"text\": \"y\"}\n");
        Text("corpus_notext.jsonl", "{\"_id\": \"1\", \"title\": \"\", \"text\": \" \"}\n");
        Text("empty.txt", "");
        Text("queries_noid.jsonl", "{\"text\": \"q\"}\n");
        Text("qrels.trec", "q1 0 d1 1\nq2 0 d2 1\n");
        Text("qrels_3col.trec", "q1 0 d1\n");
        Text("qrels_badgrade.trec", "q1 0 d1 high\n");
        Text("run.trec", "q1 Q0 d1 1 2.5 bm25\nq2 Q0 d2 1 1.5 bm25\n");
        Text("run_5col.trec", "q1 Q0 d1 1 2.5\n");
        Text("run_nan.trec", "q1 Q0 d1 1 NaN bm25\n");
        Text("run_other.trec", "x9 Q0 d1 1 2.5 bm25\n");
        Text("pairs.tsv", "a cat\ta kitten\t1\nthe sun\tmath homework\t0\n");
        Text("pairs_label7.tsv", "a cat\ta kitten\t1\nthe sun\tmath homework\t7\n");
        Text("pairs_sts.tsv", "a cat\ta kitten\t4.5\nthe sun\tmath homework\t0.5\n");
        Text("pairs_allpos.tsv", "a cat\ta kitten\t1\nthe sun\tthe star\t1\n");
        Text("pairs_2col.tsv", "a cat\ta kitten\n");
        Text("pairs_one.tsv", "a cat\ta kitten\t4.5\n");
        Text("sentences.txt", "first line\nsecond line\n");
        Text("sentences_blank.txt", "first line\n\nthird line\n");
        Text("train_bad.jsonl", "{\"query\": \"q\", \"pos\": \"not a list\"}\n");
        Text("vocab_short.txt", "[PAD]\n[UNK]\n");
        Text("notebook_numbersource.ipynb", "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], \"source\": 42}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}");
        Text("notebook_notjson.ipynb", "this is not a notebook");
        Text("not_onnx.onnx", "not an onnx file at all");
        Text("a_file", "I am a file");
        Text("config_typo.json", "{\"loss\": \"InfoNce\", \"learning_rat\": 0.1}");
        Text("config_margin_group.json", "{\"loss\": \"MarginScale\"}");
        Text("config_loss_unknown.json", "{\"loss\": \"mnrl\"}");
        Text("config_gist_no_model.json", "{\"loss\": {\"type\": \"gist\", \"guide\": \"no-such-model\"}}");
        Text("config_distillation.json", "{\"loss\": \"distillation\", \"group_size\": 2}");
        Text("config_matryoshka_big.json", "{\"matryoshka_dimensions\": [4096, 16]}");
        Text("config_batch1.json", "{\"batch_size\": 1, \"group_size\": 1}");
        Text("config_unsup_batch1.json", "{\"batch_size\": 1}");
        Text("config_maxsteps0.json", "{\"max_steps\": 0}");
        Text("config_warmup_nan.json", "{\"warmup_ratio\": \"NaN\"}");
        Text("config_lr_inf.json", "{\"learning_rate\": \"Infinity\"}");
        Text("config_dupkey.json", "{\n  \"learning_rate\": 1e-5,\n  \"learning_rate\": 2e-5\n}\n");
        Text("config_nested_dupkey.json", "{\"info_nce\": {\"temperature\": 0.05, \"temperature\": 0.02}}");
        Text("config_logevery0.json", "{\"log_every\": 0}");
        Text("config_temp0.json", "{\"info_nce\": {\"temperature\": 0}}");
        Text("config_group12.json", "{\"group_size\": 12, \"batch_size\": 2}");
        Text("config_evaluate_negative.json", "{\"evaluate_every\": -1}");
        Text("config_unsup_temp_nan.json", "{\"temperature\": \"NaN\"}");
        Text("config_gradnorm0.json", "{\"max_grad_norm\": 0}");
        // 4 records, 8 distinct passages in all (one positive and one negative each).
        Text("train_8passages.jsonl", string.Concat(Enumerable.Range(0, 4).Select(i => $"{{\"query\": \"q{i}\", \"pos\": [\"positive {i}\"], \"neg\": [\"negative {i}\"]}}\n")));
        Text("train_one.jsonl", "{\"query\": \"q\", \"pos\": [\"p\"], \"neg\": []}\n");
        Text("sts_badscore.tsv", "a cat\ta kitten\t4.5\nthe sun\tmath homework\thigh\n");
        Text("tasks_badsts.json", $"{{\"tasks\": [{{\"name\": \"BadSts\", \"type\": \"STS\", \"data\": \"{Path.Combine(Dir, "sts_badscore.tsv")}\"}}]}}");
        Directory.CreateDirectory(Path.Combine(Dir, "a_folder"));

        var good = new EmbeddingMatrix([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], 3, 4);
        good.Save(Path.Combine(Dir, "vectors.npy"));
        good.Save(Path.Combine(Dir, "vectors.f32"));
        new EmbeddingMatrix([1, 0, 0], 1, 3).Save(Path.Combine(Dir, "query3.npy"));
        new EmbeddingMatrix([1, float.NaN, 0, 0], 1, 4).Save(Path.Combine(Dir, "nan.npy"));
        new EmbeddingMatrix([], 0, 4).Save(Path.Combine(Dir, "zero.npy"));
        good.Save(Path.Combine(Dir, "half.f32"));
        File.WriteAllText(Path.Combine(Dir, "half.f32.json"), "{\"rows\": 3, \"dimension\": 4, \"dtype\": \"float16\"}\n");
        good.Save(Path.Combine(Dir, "nojson.f32"));
        File.Delete(Path.Combine(Dir, "nojson.f32.json"));
        good.Save(Path.Combine(Dir, "stale.f32"));
        File.WriteAllBytes(Path.Combine(Dir, "stale.f32"), new byte[48]);
        Text("ids_dup.txt", "1\n2\n1\n");
        Text("ids_short.txt", "1\n2\n");
        Text("ids_word.txt", "1\ntwo\n3\n");
        using (var empty = new ExactIndex(4)) empty.Save(Path.Combine(Dir, "empty_exact.safetensors"));
        if (FaissIndex.IsAvailable)
            using (var flat = FaissIndex.Create(4, "Flat")) flat.Save(Path.Combine(Dir, "empty.faiss"));
        using (var exact = new ExactIndex(4))
        {
            exact.Add(good, [10, 11, 12]);
            exact.Save(Path.Combine(Dir, "exact.index"));
        }

        CopyModel("model_unknown_module");
        File.WriteAllText(Path.Combine(Dir, "model_unknown_module", "modules.json"),
            "[{\"idx\": 0, \"name\": \"0\", \"path\": \"\", \"type\": \"sentence_transformers.models.Transformer\"}, {\"idx\": 1, \"name\": \"1\", \"path\": \"1_Pooling\", \"type\": \"sentence_transformers.models.WeightedLayerPooling\"}]");
        CopyModel("model_truncated_modules");
        File.WriteAllText(Path.Combine(Dir, "model_truncated_modules", "modules.json"), "[{\"idx\": 0, \"name\": \"0\", \"path\": \"\", \"ty");
        CopyModel("model_truncated");
        var weights = Path.Combine(Dir, "model_truncated", "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
    }

    public string Dir { get; }
    public string ToyData { get; }
    public string TinyBert { get; }

    public string this[string name] => Path.Combine(Dir, name);

    private void Text(string name, string content) => File.WriteAllText(Path.Combine(Dir, name), content, new UTF8Encoding(false));

    private void Bytes(string name, byte[] content) => File.WriteAllBytes(Path.Combine(Dir, name), content);

    private void CopyModel(string name)
    {
        var target = Path.Combine(Dir, name);
        foreach (var file in Directory.EnumerateFiles(TinyBert, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(target, Path.GetRelativePath(TinyBert, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
