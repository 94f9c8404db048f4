namespace Research.Cli.Tests;

/// <summary>
/// Every verb against bad input: exit code 1 and one exact message naming the file, line, field or option — never a
/// stack trace, never a crash, never silence. Paths: {d} the fixture folder, {m} toy_data/tiny-bert, {t} toy_data.
/// </summary>
public class BadInputTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    public static TheoryData<string> Names() => [.. Cases.Keys];

    private static readonly Dictionary<string, (string[] Args, string Message)> Cases = new()
    {
        // data validate / split / stats
        ["validate: missing file"] = (["data", "validate", "{d}/none.jsonl"], "{d}/none.jsonl: file not found."),
        ["validate: folder as a training file"] = (["data", "validate", "{d}/a_folder", "--format", "train"], "{d}/a_folder: is a folder; expected a file."),
        ["validate: wrong field type"] = (["data", "validate", "{d}/train_bad.jsonl"], "{d}/train_bad.jsonl:1: field 'pos': expected a list of strings, found a single string (wrap it in [ ])"),
        ["validate: --report without --lenient"] = (["data", "validate", "{d}/train_bad.jsonl", "--report", "{d}/r.tsv"], "--report is written only in --lenient mode (strict mode stops at the first error); add --lenient."),
        ["validate: --report is a folder"] = (["data", "validate", "{d}/train_bad.jsonl", "--lenient", "--report", "{d}/a_folder"], "--report {d}/a_folder: is a folder; expected a file path for the TSV report."),
        ["validate: empty file"] = (["data", "validate", "{d}/empty.txt", "--format", "train"], "{d}/empty.txt: no records (train); the file is empty."),
        ["validate: --neg with pairs"] = (["data", "validate", "{d}/pairs.tsv", "--format", "pairs", "--neg", "{d}/x"], "--neg is for --format eval, not pairs."),
        ["validate: unknown format"] = (["data", "validate", "{d}/pairs.tsv", "--format", "parquet"], "Cannot parse argument 'parquet' for option '--format' as expected type 'Research.Lib.Data.DataFileFormat'. Did you mean one of the following?\nAuto\nBeir\nCsv\nEval\nPairs\nSentences\nTrain"),
        ["validate: pairs with two columns"] = (["data", "validate", "{d}/pairs_2col.tsv"], "{d}/pairs_2col.tsv:1: expected 3 tab-separated columns (sentence1, sentence2, label or score), found 2"),
        ["validate: invalid UTF-8"] = (["data", "validate", "{d}/corpus_badutf8.txt"], "{d}/corpus_badutf8.txt:2: invalid UTF-8 at byte 1 of the line (is the file in another encoding, such as GBK? convert it to UTF-8)"),
        ["split: --out is a file"] = (["data", "split", "{t}/toy_source.json", "--out", "{d}/a_file"], "--out {d}/a_file: is a file; expected a folder for train.jsonl, dev.jsonl, test.jsonl and split_report.json."),
        ["split: --out is someone's folder"] = (["data", "split", "{t}/toy_source.json", "--out", "{t}"], "{t}: exists, is not empty and was not written by the kit (no .research-output.json); refusing to replace it. Choose a new or empty folder."),
        ["split: two ratios"] = (["data", "split", "{t}/toy_source.json", "--ratios", "8,1", "--out", "{d}/split"], "Ratios '8,1': expected three numbers (train,dev,test) such as 8,1,1."),
        ["split: negative ratio"] = (["data", "split", "{t}/toy_source.json", "--ratios", "8,-1,1", "--out", "{d}/split"], "Ratios '8,-1,1': '-1' is not a number >= 0."),
        ["split: bad --stratify"] = (["data", "split", "{t}/toy_source.json", "--stratify", "length", "--out", "{d}/split"], "--stratify 'length': expected type or prompt."),
        ["split: bad --group-by"] = (["data", "split", "{t}/toy_source.json", "--group-by", "neg", "--out", "{d}/split"], "--group-by 'neg': expected query or pos."),
        ["split: missing input"] = (["data", "split", "{d}/none.jsonl", "--out", "{d}/split"], "{d}/none.jsonl: file not found."),
        ["split: empty input"] = (["data", "split", "{d}/empty.txt", "--out", "{d}/split"], "{d}/empty.txt: no records to split."),
        ["stats: empty file"] = (["data", "stats", "{d}/empty.txt"], "{d}/empty.txt: no records; the file is empty."),
        ["stats: folder"] = (["data", "stats", "{d}/a_folder"], "{d}/a_folder: is a folder; expected a file."),
        ["stats: bad record"] = (["data", "stats", "{d}/train_bad.jsonl"], "{d}/train_bad.jsonl:1: field 'pos': expected a list of strings, found a single string (wrap it in [ ])"),

        // model init / encode / get / import-onnx / export-onnx
        ["init: --vocab is a folder"] = (["model", "init", "--vocab", "{d}/a_folder", "--out", "{d}/m"], "--vocab {d}/a_folder: is a folder; expected a file."),
        ["init: --vocab missing"] = (["model", "init", "--vocab", "{d}/none.txt", "--out", "{d}/m"], "--vocab {d}/none.txt: file not found."),
        ["init: unknown architecture"] = (["model", "init", "--arch", "gpt2", "--vocab", "{m}/vocab.txt", "--out", "{d}/m"], "--arch gpt2: expected bert or xlm-roberta."),
        ["init: zero layers"] = (["model", "init", "--layers", "0", "--vocab", "{m}/vocab.txt", "--out", "{d}/m"], "--layers 0: expected a positive integer."),
        ["init: hidden not a multiple of heads"] = (["model", "init", "--hidden", "66", "--heads", "4", "--vocab", "{m}/vocab.txt", "--out", "{d}/m"], "--hidden 66 must be a multiple of --heads 4."),
        ["init: xlm-roberta without --spm"] = (["model", "init", "--arch", "xlm-roberta", "--out", "{d}/m"], "--spm is required for xlm-roberta."),
        ["init: no vocabulary"] = (["model", "init", "--out", "{d}/m"], "bert needs --vocab or --vocab-from."),
        ["init: --vocab-from missing"] = (["model", "init", "--vocab-from", "{d}/none.txt", "--out", "{d}/m"], "--vocab-from {d}/none.txt: file not found."),
        ["init: vocabulary without specials"] = (["model", "init", "--vocab", "{d}/vocab_short.txt", "--out", "{d}/m"], "WordPiece vocabulary lacks the special token '[CLS]'."),
        ["init: --out is a file"] = (["model", "init", "--vocab", "{m}/vocab.txt", "--out", "{d}/a_file"], "{d}/a_file: is a file; expected a folder (or a path that does not exist yet)."),
        ["encode: --as document"] = (["model", "encode", "--model", "{m}", "--input", "{d}/sentences.txt", "--out", "{d}/v.npy", "--as", "document"], "--as document: expected query or passage."),
        ["encode: blank line"] = (["model", "encode", "--model", "{m}", "--input", "{d}/sentences_blank.txt", "--out", "{d}/v.npy"], "{d}/sentences_blank.txt:2: blank line; every line becomes one vector row, so a blank line would shift the rows after it (remove it or put text on it)"),
        ["encode: empty input"] = (["model", "encode", "--model", "{m}", "--input", "{d}/empty.txt", "--out", "{d}/v.npy"], "{d}/empty.txt: no lines to encode; the file is empty"),
        ["encode: missing input"] = (["model", "encode", "--model", "{m}", "--input", "{d}/none.txt", "--out", "{d}/v.npy"], "{d}/none.txt: file not found."),
        ["encode: missing model"] = (["model", "encode", "--model", "{d}/none", "--input", "{d}/sentences.txt", "--out", "{d}/v.npy"], "{d}/none: config.json not found; is this a Hugging Face model folder?"),
        ["encode: unknown module type"] = (["model", "encode", "--model", "{d}/model_unknown_module", "--input", "{d}/sentences.txt", "--out", "{d}/v.npy"], "{d}/model_unknown_module/modules.json: module type 'sentence_transformers.models.WeightedLayerPooling' is not supported (Transformer, Pooling, Dense, Normalize)."),
        ["encode: truncated weights"] = (["model", "encode", "--model", "{d}/model_truncated", "--input", "{d}/sentences.txt", "--out", "{d}/v.npy"], "{d}/model_truncated/model.safetensors: tensor 'embeddings.word_embeddings.weight' ends at byte 699104 but the file has 557808; the file is truncated (an interrupted download or copy?)."),
        ["encode: zero batch size"] = (["model", "encode", "--model", "{m}", "--input", "{d}/sentences.txt", "--out", "{d}/v.npy", "--batch-size", "0"], "--batch-size 0: expected a positive integer."),
        ["encode: unknown device"] = (["model", "encode", "--model", "{m}", "--input", "{d}/sentences.txt", "--out", "{d}/v.npy", "--device", "tpu"], "Device 'tpu': expected cpu, cuda, cuda:N (N = 0, 1, ...) or auto."),
        ["encode: --out is a folder"] = (["model", "encode", "--model", "{m}", "--input", "{d}/sentences.txt", "--out", "{d}/a_folder"], "{d}/a_folder: is a folder; expected a file path (.npy or .f32)."),
        ["get: unknown model"] = (["model", "get", "bge-small", "--out", "{d}/m"], "Model 'bge-small' is not in the catalogue; available: all-MiniLM-L6-v2, snowflake-arctic-embed-xs. Import any other ONNX BERT model with 'research model import-onnx'."),
        ["import-onnx: missing file"] = (["model", "import-onnx", "--onnx", "{d}/none.onnx", "--vocab", "{m}/vocab.txt", "--pooling", "Mean", "--out", "{d}/m"], "{d}/none.onnx: file not found."),
        ["import-onnx: not ONNX"] = (["model", "import-onnx", "--onnx", "{d}/not_onnx.onnx", "--vocab", "{m}/vocab.txt", "--pooling", "Mean", "--out", "{d}/m"], "{d}/not_onnx.onnx: not a readable ONNX model (unknown wire type 6)."),
        ["import-onnx: vocab missing"] = (["model", "import-onnx", "--onnx", "{d}/not_onnx.onnx", "--vocab", "{d}/none.txt", "--pooling", "Mean", "--out", "{d}/m"], "--vocab {d}/none.txt: file not found."),
        ["import-onnx: pooling missing"] = (["model", "import-onnx", "--onnx", "{d}/not_onnx.onnx", "--vocab", "{m}/vocab.txt", "--out", "{d}/m"], "Option '--pooling' is required."),
        ["export-onnx: missing model"] = (["model", "export-onnx", "--model", "{d}/none", "--out", "{d}/m.onnx"], "{d}/none: config.json not found; is this a Hugging Face model folder?"),
        ["export-onnx: --out is a folder"] = (["model", "export-onnx", "--model", "{m}", "--out", "{d}/a_folder"], "--out {d}/a_folder: is a folder; expected an .onnx file path."),
        ["export-onnx: unknown quantization"] = (["model", "export-onnx", "--model", "{m}", "--out", "{d}/m.onnx", "--quantize", "int4"], "--quantize int4: expected int8."),

        // eval
        ["eval run: 3-field TREC qrels"] = (["eval", "run", "--qrels", "{d}/qrels_3col.trec", "--run", "{d}/run.trec"], "{d}/qrels_3col.trec:1: expected 4 fields (qid iteration docid relevance), found 3; BEIR's 3-field qrels are read when the file starts with its 'query-id corpus-id score' header"),
        ["eval run: grade not a number"] = (["eval", "run", "--qrels", "{d}/qrels_badgrade.trec", "--run", "{d}/run.trec"], "{d}/qrels_badgrade.trec:1: field 'relevance': 'high' is not an integer grade"),
        ["eval run: empty qrels"] = (["eval", "run", "--qrels", "{d}/empty.txt", "--run", "{d}/run.trec"], "{d}/empty.txt: no judgments (qid iteration docid relevance); the file is empty"),
        ["eval run: empty run"] = (["eval", "run", "--qrels", "{d}/qrels.trec", "--run", "{d}/empty.txt"], "{d}/empty.txt: no run lines (qid Q0 docid rank score tag); the file is empty"),
        ["eval run: 5-field run"] = (["eval", "run", "--qrels", "{d}/qrels.trec", "--run", "{d}/run_5col.trec"], "{d}/run_5col.trec:1: expected 6 fields (qid Q0 docid rank score tag), found 5"),
        ["eval run: NaN score"] = (["eval", "run", "--qrels", "{d}/qrels.trec", "--run", "{d}/run_nan.trec"], "{d}/run_nan.trec:1: field 'score': 'NaN' is not a finite number"),
        ["eval run: run of other queries"] = (["eval", "run", "--qrels", "{d}/qrels.trec", "--run", "{d}/run_other.trec"], "--run {d}/run_other.trec: none of its queries is judged in {d}/qrels.trec; are they the run and qrels of the same data?"),
        ["eval run: --k 0"] = (["eval", "run", "--qrels", "{d}/qrels.trec", "--run", "{d}/run.trec", "--k", "0"], "--k '0': '0' is not a positive integer."),
        ["eval run: --k words"] = (["eval", "run", "--qrels", "{d}/qrels.trec", "--run", "{d}/run.trec", "--k", "ten"], "--k 'ten': 'ten' is not a positive integer."),
        ["eval run: missing qrels"] = (["eval", "run", "--qrels", "{d}/none.trec", "--run", "{d}/run.trec"], "{d}/none.trec: file not found."),
        ["eval retrieval: missing data"] = (["eval", "retrieval", "--model", "{m}", "--data", "{d}/none", "--out", "{d}/e"], "{d}/none: file not found."),
        ["eval retrieval: --top-k 0"] = (["eval", "retrieval", "--model", "{m}", "--data", "{t}/toy_dev.json", "--neg", "{t}/toy_dev_neg.json", "--top-k", "0", "--out", "{d}/e"], "--top-k 0: expected a positive integer."),
        ["eval retrieval: --neg with a BEIR folder"] = (["eval", "retrieval", "--model", "{m}", "--data", "{d}/a_folder", "--neg", "{d}/x", "--out", "{d}/e"], "--neg is for the seed's JSONL evaluation files; {d}/a_folder is a BEIR folder."),
        ["eval retrieval: --out is a file"] = (["eval", "retrieval", "--model", "{m}", "--data", "{t}/toy_dev.json", "--neg", "{t}/toy_dev_neg.json", "--out", "{d}/a_file"], "--out {d}/a_file: is a file; expected a folder for run.trec, qrels.trec and the JSON results."),
        ["eval sts: empty data"] = (["eval", "sts", "--model", "{m}", "--data", "{d}/empty.txt"], "--data {d}/empty.txt: no pairs; the file is empty."),
        ["eval sts: one pair"] = (["eval", "sts", "--model", "{m}", "--data", "{d}/pairs_one.tsv"], "STS needs at least 2 scored pairs to correlate; got 1."),
        ["eval pairs: label 7"] = (["eval", "pairs", "--model", "{m}", "--data", "{d}/pairs_label7.tsv"], "{d}/pairs_label7.tsv:2: field 'label': '7' is not 0 or 1; pair classification needs binary labels (graded scores are STS data: use 'research eval sts')"),
        ["eval pairs: an STS file"] = (["eval", "pairs", "--model", "{m}", "--data", "{d}/pairs_sts.tsv"], "{d}/pairs_sts.tsv:1: field 'label': '4.5' is not 0 or 1; pair classification needs binary labels (graded scores are STS data: use 'research eval sts')"),
        ["eval pairs: one label only"] = (["eval", "pairs", "--model", "{m}", "--data", "{d}/pairs_allpos.tsv"], "Pair classification needs both labels; every pair is labelled 1."),
        ["eval pairs: missing model"] = (["eval", "pairs", "--model", "{d}/none", "--data", "{d}/pairs.tsv"], "{d}/none: config.json not found; is this a Hugging Face model folder?"),

        // index build / search
        ["index build: NaN vector"] = (["index", "build", "--embeddings", "{d}/nan.npy", "--factory", "exact", "--out", "{d}/i"], "--embeddings {d}/nan.npy: row 0, column 1 is not a finite number (NaN or infinity)."),
        ["index build: no vectors"] = (["index", "build", "--embeddings", "{d}/zero.npy", "--factory", "exact", "--out", "{d}/i"], "--embeddings {d}/zero.npy: holds no vectors; an index needs at least one."),
        ["index build: duplicate ids"] = (["index", "build", "--embeddings", "{d}/vectors.npy", "--ids", "{d}/ids_dup.txt", "--factory", "exact", "--out", "{d}/i"], "{d}/ids_dup.txt:3: field 'id': 1 already appears on line 1; ids must be unique"),
        ["index build: too few ids"] = (["index", "build", "--embeddings", "{d}/vectors.npy", "--ids", "{d}/ids_short.txt", "--factory", "exact", "--out", "{d}/i"], "--ids {d}/ids_short.txt: 2 ids for 3 vectors; give one id per vector."),
        ["index build: id not a number"] = (["index", "build", "--embeddings", "{d}/vectors.npy", "--ids", "{d}/ids_word.txt", "--factory", "exact", "--out", "{d}/i"], "{d}/ids_word.txt:2: field 'id': 'two' is not an integer"),
        ["index build: float16 shape file"] = (["index", "build", "--embeddings", "{d}/half.f32", "--factory", "exact", "--out", "{d}/i"], "{d}/half.f32.json: field 'dtype' is 'float16'; .f32 files hold float32 (save other types as .npy)."),
        ["index build: shape file missing"] = (["index", "build", "--embeddings", "{d}/nojson.f32", "--factory", "exact", "--out", "{d}/i"], "{d}/nojson.f32: not a .npy file, and its shape file {d}/nojson.f32.json is missing (written by 'research model encode')."),
        ["index build: data from another run"] = (["index", "build", "--embeddings", "{d}/stale.f32", "--factory", "exact", "--out", "{d}/i"], "{d}/stale.f32: the data does not match the checksum in {d}/stale.f32.json; the two files come from different runs (an interrupted write?). Re-create them."),
        ["index build: missing embeddings"] = (["index", "build", "--embeddings", "{d}/none.npy", "--out", "{d}/i"], "{d}/none.npy: file not found."),
        ["index build: unknown metric"] = (["index", "build", "--embeddings", "{d}/vectors.npy", "--metric", "cosine", "--out", "{d}/i"], "Cannot parse argument 'cosine' for option '--metric' as expected type 'Research.Lib.Search.VectorMetric'. Did you mean one of the following?\nInnerProduct\nL2"),
        ["index search: empty exact index"] = (["index", "search", "--index", "{d}/empty_exact.safetensors", "--queries", "{d}/vectors.npy", "--out", "{d}/h.tsv"], "--index {d}/empty_exact.safetensors: holds no vectors; rebuild it with 'research index build'."),
        ["index search: empty Faiss index"] = (["index", "search", "--index", "{d}/empty.faiss", "--queries", "{d}/vectors.npy", "--out", "{d}/h.tsv"], "--index {d}/empty.faiss: holds no vectors; rebuild it with 'research index build'."),
        ["index search: --k 0"] = (["index", "search", "--index", "{d}/exact.index", "--queries", "{d}/vectors.npy", "--k", "0", "--out", "{d}/h.tsv"], "--k 0: expected a positive integer."),
        ["index search: dimension mismatch"] = (["index", "search", "--index", "{d}/exact.index", "--queries", "{d}/query3.npy", "--out", "{d}/h.tsv"], "--queries {d}/query3.npy: dimension 3, but the index holds dimension 4."),
        ["index search: missing index"] = (["index", "search", "--index", "{d}/none.faiss", "--queries", "{d}/vectors.npy", "--out", "{d}/h.tsv"], "{d}/none.faiss: index file not found."),
        ["index search: folder as index"] = (["index", "search", "--index", "{d}/a_folder", "--queries", "{d}/vectors.npy", "--out", "{d}/h.tsv"], "{d}/a_folder: is a folder; expected an index file."),
        ["index search: --nprobe on an exact index"] = (["index", "search", "--index", "{d}/exact.index", "--queries", "{d}/vectors.npy", "--nprobe", "4", "--out", "{d}/h.tsv"], "--nprobe / --ef-search apply to Faiss IVF / HNSW indexes; {d}/exact.index is an exact index."),
        ["index search: NaN query"] = (["index", "search", "--index", "{d}/exact.index", "--queries", "{d}/nan.npy", "--out", "{d}/h.tsv"], "--queries {d}/nan.npy: row 0, column 1 is not a finite number (NaN or infinity)."),

        // bm25
        ["bm25 build: line without _id"] = (["bm25", "build", "--corpus", "{d}/corpus_noid.jsonl", "--out", "{d}/b"], "{d}/corpus_noid.jsonl:2: field '_id': missing; BEIR records need an _id"),
        ["bm25 build: training file as corpus"] = (["bm25", "build", "--corpus", "{d}/corpus_training.jsonl", "--out", "{d}/b"], "{d}/corpus_training.jsonl:1: field '_id': missing; this looks like a training file (query/pos records), not a BEIR corpus or query file"),
        ["bm25 build: JSON array"] = (["bm25", "build", "--corpus", "{d}/corpus_array.json", "--out", "{d}/b"], "{d}/corpus_array.json:1: a JSON array; expected JSON Lines (one object per line) or plain text (one per line)"),
        ["bm25 build: invalid UTF-8"] = (["bm25", "build", "--corpus", "{d}/corpus_badutf8.txt", "--out", "{d}/b"], "{d}/corpus_badutf8.txt:2: invalid UTF-8 at byte 1 of the line (is the file in another encoding, such as GBK? convert it to UTF-8)"),
        ["bm25 build: broken JSON line"] = (["bm25", "build", "--corpus", "{d}/corpus_badjson.jsonl", "--out", "{d}/b"], "{d}/corpus_badjson.jsonl:2: malformed JSON at byte 22: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed"),
        ["bm25 build: duplicate ids"] = (["bm25", "build", "--corpus", "{d}/corpus_dupid.jsonl", "--out", "{d}/b"], "{d}/corpus_dupid.jsonl:2: field '_id': duplicate document id '1'"),
        ["bm25 build: document without text"] = (["bm25", "build", "--corpus", "{d}/corpus_notext.jsonl", "--out", "{d}/b"], "{d}/corpus_notext.jsonl:1: field 'text': document has neither text nor title"),
        ["bm25 build: empty corpus"] = (["bm25", "build", "--corpus", "{d}/empty.txt", "--out", "{d}/b"], "{d}/empty.txt: no documents (the file is empty or every record was skipped)"),
        ["bm25 build: missing corpus"] = (["bm25", "build", "--corpus", "{d}/none.jsonl", "--out", "{d}/b"], "{d}/none.jsonl: file not found."),
        ["bm25 build: negative k1"] = (["bm25", "build", "--corpus", "{d}/corpus.jsonl", "--k1", "-1", "--out", "{d}/b"], "--k1 -1: expected a finite number >= 0."),
        ["bm25 build: b above 1"] = (["bm25", "build", "--corpus", "{d}/corpus.jsonl", "--b", "2", "--out", "{d}/b"], "--b 2: expected a number in [0, 1]."),
        ["bm25 search: --k 0"] = (["bm25", "search", "--index", "{d}/a_folder", "--queries", "{d}/queries.jsonl", "--k", "0", "--out", "{d}/r.trec"], "--k 0: expected a positive integer."),
        ["bm25 search: not an index"] = (["bm25", "search", "--index", "{d}/a_folder", "--queries", "{d}/queries.jsonl", "--out", "{d}/r.trec"], "{d}/a_folder: not a BM25 index folder (bm25.json missing)."),
        ["bm25 search: a file as index"] = (["bm25", "search", "--index", "{d}/a_file", "--queries", "{d}/queries.jsonl", "--out", "{d}/r.trec"], "{d}/a_file: is a file; a BM25 index is a folder (written by 'research bm25 build')."),

        // clean / mine
        ["clean: threshold above 1"] = (["clean", "--input", "{t}/toy_source.json", "--model", "hashed", "--threshold", "1.5", "--out", "{d}/c"], "--threshold 1.5: expected a cosine in (-1, 1]."),
        ["clean: --remove-leaks without an evaluation set"] = (["clean", "--input", "{t}/toy_source.json", "--model", "hashed", "--remove-leaks", "--out", "{d}/c"], "--remove-leaks needs --eval-queries and/or --eval-passages."),
        ["clean: missing input"] = (["clean", "--input", "{d}/none.jsonl", "--model", "hashed", "--out", "{d}/c"], "{d}/none.jsonl: file not found."),
        ["clean: empty input"] = (["clean", "--input", "{d}/empty.txt", "--model", "hashed", "--out", "{d}/c"], "{d}/empty.txt: no records to clean."),
        ["clean: hashed in bf16"] = (["clean", "--input", "{t}/toy_source.json", "--model", "hashed", "--precision", "bf16", "--out", "{d}/c"], "--precision bf16: the hashed encoder has no weights to hold in half precision; it takes only fp32."),
        ["mine: fp16 on the CPU"] = (["mine", "--input", "{t}/toy_source.json", "--model", "{m}", "--method", "Dense", "--precision", "fp16", "--device", "cpu", "--out", "{d}/m"], "Float16 inference needs a CUDA device; on CPU use BFloat16 or Float32."),
        ["clean: missing model"] = (["clean", "--input", "{t}/toy_source.json", "--model", "{d}/none", "--out", "{d}/c"], "{d}/none: config.json not found; is this a Hugging Face model folder?"),
        ["mine: an analyzer for dense mining"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--method", "Dense", "--analyzer", "Cjk", "--out", "{d}/n"], "--analyzer Cjk: --method Dense ranks by the model alone; the analyzer is BM25's (--method Bm25 or Hybrid)."),
        ["mine: reversed range"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--range", "210-10", "--out", "{d}/n"], "--range '210-10': expected START-END with 0 <= START < END, such as 10-210."),
        ["mine: more negatives than ranks"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--range", "10-20", "--negatives", "11", "--out", "{d}/n"], "--negatives 11 is more than the 10 ranks of --range 10-20."),
        ["mine: range beyond the corpus"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--corpus", "{d}/corpus.jsonl", "--range", "10-20", "--negatives", "5", "--out", "{d}/n"], "--range 10-20 starts beyond the corpus: it has 3 passages."),
        ["mine: unknown method"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--method", "Sparse", "--out", "{d}/n"], "Cannot parse argument 'Sparse' for option '--method' as expected type 'Research.Lib.Mining.MiningMethod'. Did you mean one of the following?\nBm25\nDense\nHybrid"),
        ["mine: ratio above 1"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--max-score-ratio", "1.5", "--out", "{d}/n"], "--max-score-ratio 1.5: expected a number in (0, 1]."),
        ["mine: training file as corpus"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--corpus", "{d}/corpus_training.jsonl", "--out", "{d}/n"], "{d}/corpus_training.jsonl:1: field '_id': missing; this looks like a training file (query/pos records), not a BEIR corpus or query file"),
        ["encode: unknown precision"] = (["model", "encode", "--model", "{m}", "--input", "{d}/sentences.txt", "--out", "{d}/v.npy", "--precision", "fp8"], "--precision fp8: expected fp32, bf16 or fp16."),

        // train
        ["train: unknown config key"] = (["train", "--config", "{d}/config_typo.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "{d}/config_typo.json:1: The JSON property 'learning_rat' could not be mapped to any .NET member contained in type 'Research.Lib.Training.SupervisedTrainingOptions'. (at $.learning_rat)"),
        ["train: margin/scale with hard negatives"] = (["train", "--config", "{d}/config_margin_group.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "loss margin_scale uses in-batch negatives only: set group_size to 1."),
        ["train: missing config"] = (["train", "--config", "{d}/none.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "--config {d}/none.json: file not found."),
        ["train: batch of one"] = (["train", "--config", "{d}/config_batch1.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "batch_size 1: in-batch negatives need at least 2 queries per batch."),
        ["train: unknown method"] = (["train", "--method", "simcse2", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "--method simcse2: expected supervised, simcse, esimcse, diffcse, mlm or reranker."),
        ["train: simcse batch of one"] = (["train", "--method", "simcse", "--config", "{d}/config_unsup_batch1.json", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "batch_size 1: in-batch negatives need at least 2 sentences per batch."),
        ["train: mlm unknown config key"] = (["train", "--method", "mlm", "--config", "{d}/config_typo.json", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "{d}/config_typo.json:1: The JSON property 'loss' could not be mapped to any .NET member contained in type 'Research.Lib.Training.MlmTrainingOptions'. (at $.loss)"),
        ["train: diffcse without generator"] = (["train", "--method", "diffcse", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "DiffCSE needs a generator: set generator to a model folder with a masked-language-model head (research train --method mlm)."),
        ["train: config not JSON"] = (["train", "--config", "{d}/a_file", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "{d}/a_file:1: 'I' is an invalid start of a value. (at $)"),

        // round 3: train options and combinations, NaN / Infinity, duplicate keys, mine, merge, encode, eval suite
        ["train: max_steps 0"] = (["train", "--config", "{d}/config_maxsteps0.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "max_steps 0: expected a positive number of optimizer steps (leave it out to run every epoch)."),
        ["train: simcse max_steps 0"] = (["train", "--method", "simcse", "--config", "{d}/config_maxsteps0.json", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "max_steps 0: expected a positive number of optimizer steps (leave it out to run every epoch)."),
        ["train: mlm max_steps 0"] = (["train", "--method", "mlm", "--config", "{d}/config_maxsteps0.json", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "max_steps 0: expected a positive number of optimizer steps (leave it out to run every epoch)."),
        ["train: warmup_ratio NaN"] = (["train", "--config", "{d}/config_warmup_nan.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "warmup_ratio NaN: expected a finite number."),
        ["train: mlm warmup_ratio NaN"] = (["train", "--method", "mlm", "--config", "{d}/config_warmup_nan.json", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "warmup_ratio NaN: expected a finite number."),
        ["train: learning_rate Infinity"] = (["train", "--config", "{d}/config_lr_inf.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "learning_rate Infinity: expected a finite number."),
        ["train: simcse learning_rate Infinity"] = (["train", "--method", "simcse", "--config", "{d}/config_lr_inf.json", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "learning_rate Infinity: expected a finite number."),
        ["train: simcse temperature NaN"] = (["train", "--method", "simcse", "--config", "{d}/config_unsup_temp_nan.json", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "temperature NaN: expected a finite number."),
        ["train: duplicated key"] = (["train", "--config", "{d}/config_dupkey.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "{d}/config_dupkey.json:3: key 'learning_rate' appears twice in one object (at $.learning_rate); give each setting once."),
        ["train: duplicated nested key"] = (["train", "--config", "{d}/config_nested_dupkey.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "{d}/config_nested_dupkey.json:1: key 'temperature' appears twice in one object (at $.info_nce.temperature); give each setting once."),
        ["train: log_every 0"] = (["train", "--config", "{d}/config_logevery0.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "log_every 0: expected a positive number of steps."),
        ["train: simcse log_every 0"] = (["train", "--method", "simcse", "--config", "{d}/config_logevery0.json", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--out", "{d}/tr"], "log_every 0: expected a positive number of steps."),
        ["train: evaluate_every -1"] = (["train", "--config", "{d}/config_evaluate_negative.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "evaluate_every -1: expected 0 (only at the end) or a number of steps."),
        ["train: max_grad_norm 0"] = (["train", "--config", "{d}/config_gradnorm0.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "max_grad_norm 0: expected a positive number."),
        ["train: temperature 0"] = (["train", "--config", "{d}/config_temp0.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "info_nce.temperature 0: expected a positive number."),
        ["train: group_size beyond the passages"] = (["train", "--config", "{d}/config_group12.json", "--model", "{m}", "--data", "{d}/train_8passages.jsonl", "--out", "{d}/tr"], "group_size 12: --data {d}/train_8passages.jsonl has 8 distinct passages in all, fewer than one query's group (1 positive + 11 negatives); lower group_size or mine more negatives."),
        ["train: empty data"] = (["train", "--model", "{m}", "--data", "{d}/empty.txt", "--out", "{d}/tr"], "--data {d}/empty.txt: no training records (the file is empty)."),
        ["train: one record"] = (["train", "--model", "{m}", "--data", "{d}/train_one.jsonl", "--out", "{d}/tr"], "--data {d}/train_one.jsonl: 1 training record; training needs at least 2."),
        ["train: --eval-neg without --eval"] = (["train", "--model", "{m}", "--data", "{t}/toy_source.json", "--eval-neg", "{t}/toy_dev_neg.json", "--out", "{d}/tr"], "--eval-neg needs --eval: it is the neg_passage file of a seed-format --eval query file."),
        ["train: --eval-sts and --eval"] = (["train", "--model", "{m}", "--data", "{t}/toy_source.json", "--eval", "{t}/toy_dev.json", "--eval-sts", "{d}/pairs_sts.tsv", "--out", "{d}/tr"], "--eval and --eval-sts: give one evaluation for the run's main score (retrieval with --eval, or scored / labelled pairs)."),
        ["train: empty --eval-sts"] = (["train", "--model", "{m}", "--data", "{t}/toy_source.json", "--eval-sts", "{d}/empty.txt", "--out", "{d}/tr"], "--eval-sts {d}/empty.txt: 0 scored pair(s); a Spearman correlation needs at least 2."),
        ["train: --eval-pairs with reranker"] = (["train", "--method", "reranker", "--model", "{m}", "--data", "{t}/toy_source.json", "--eval-pairs", "{d}/pairs.tsv", "--out", "{d}/tr"], "--eval-pairs evaluates sentence embeddings; --method reranker evaluates re-ranking with --eval."),
        ["train: --generator with supervised"] = (["train", "--model", "{m}", "--data", "{t}/toy_source.json", "--generator", "{m}", "--out", "{d}/tr"], "--generator is DiffCSE's masked-language-model generator; --method supervised uses none."),
        ["train: --generator with simcse"] = (["train", "--method", "simcse", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--generator", "{m}", "--out", "{d}/tr"], "--generator is DiffCSE's masked-language-model generator; --method simcse uses none."),
        ["train: --devices with simcse"] = (["train", "--method", "simcse", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--devices", "cuda:0,cuda:1", "--out", "{d}/tr"], "--devices is supported for supervised training only; --method simcse trains on one device (--device)."),
        ["train: --eval with simcse"] = (["train", "--method", "simcse", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--eval", "{t}/toy_dev.json", "--out", "{d}/tr"], "--eval is supported for supervised and reranker training; --method simcse evaluates with --eval-sts and/or --eval-pairs."),
        ["train: --resume with simcse without a checkpoint"] = (["train", "--method", "simcse", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--resume", "--out", "{d}/tr"], "--resume: no checkpoint in {d}/tr.checkpoint (trainer_state.json); start without --resume."),
        ["train: --checkpoint without checkpoint_every"] = (["train", "--method", "mlm", "--model", "{m}", "--data", "{t}/toy_unsup.txt", "--checkpoint", "{d}/ck", "--out", "{d}/tr"], "--checkpoint {d}/ck: checkpoint_every is 0, so no checkpoint would be written there; set checkpoint_every in the config."),
        ["train: unknown loss"] = (["train", "--config", "{d}/config_loss_unknown.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "loss 'mnrl': expected one of info_nce, margin_scale, cosent, triplet, distillation, margin_mse, gist."),
        ["train: gist guide not a model"] = (["train", "--config", "{d}/config_gist_no_model.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "loss.guide no-such-model: not a model folder (no config.json)."),
        ["train: distillation without teacher scores"] = (["train", "--config", "{d}/config_distillation.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "loss distillation: --data {t}/toy_source.json record 1 (query \"Why does my git rebase not work as expected?\") has no pos_scores; distillation needs the teacher's score of every passage (research mine --replace writes the miner's scores; a reranker's are better)."),
        ["train: matryoshka size above the model's"] = (["train", "--config", "{d}/config_matryoshka_big.json", "--model", "{m}", "--data", "{t}/toy_source.json", "--out", "{d}/tr"], "matryoshka_dimensions: 4096 is larger than the model's embedding (64 dimensions)."),
        ["train: --devices ,"] = (["train", "--model", "{m}", "--data", "{t}/toy_source.json", "--devices", ",", "--out", "{d}/tr"], "--devices ',': expected a comma-separated list of devices without empty entries, such as cuda:0,cuda:1."),
        ["train: --resume without a checkpoint"] = (["train", "--model", "{m}", "--data", "{t}/toy_source.json", "--resume", "--out", "{d}/tr"], "--resume: no checkpoint in {d}/tr.checkpoint (trainer_state.json); start without --resume."),
        ["train: unknown precision"] = (["train", "--model", "{m}", "--data", "{t}/toy_source.json", "--precision", "fp8", "--out", "{d}/tr"], "--precision fp8: expected fp32, bf16 or fp16."),
        ["mine: --max-score-ratio NaN"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--max-score-ratio", "NaN", "--out", "{d}/n"], "--max-score-ratio NaN: expected a finite number."),
        ["mine: --margin Infinity"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--margin", "Infinity", "--out", "{d}/n"], "--margin Infinity: expected a finite number."),
        ["mine: --max-score -Infinity"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--max-score", "-Infinity", "--out", "{d}/n"], "--max-score -Infinity: expected a finite number."),
        ["mine: Dense without --model"] = (["mine", "--input", "{t}/toy_source.json", "--method", "Dense", "--out", "{d}/n"], "--model is required for --method Dense (only Bm25 ranks without a model)."),
        ["mine: Bm25 with --model"] = (["mine", "--input", "{t}/toy_source.json", "--model", "hashed", "--method", "Bm25", "--out", "{d}/n"], "--model: --method Bm25 ranks with BM25 alone and would ignore it; leave --model out, or fuse both with --method Hybrid."),
        ["clean: --threshold NaN"] = (["clean", "--input", "{t}/toy_source.json", "--model", "hashed", "--threshold", "NaN", "--out", "{d}/c"], "--threshold NaN: expected a finite number."),
        ["bm25 build: --k1 NaN"] = (["bm25", "build", "--corpus", "{d}/corpus.jsonl", "--k1", "NaN", "--out", "{d}/b"], "--k1 NaN: expected a finite number."),
        ["merge: --out is one of the parts"] = (["merge", "{d}/vectors.npy", "{d}/query3.npy", "--out", "{d}/vectors.npy"], "--out {d}/vectors.npy: is one of the parts ({d}/vectors.npy); merging into it would replace an input. Choose another --out."),
        ["merge: a part twice"] = (["merge", "{d}/vectors.npy", "{d}/vectors.npy", "--out", "{d}/merged.npy"], "PARTS: {d}/vectors.npy is given twice; give every part once."),
        ["encode: truncated modules.json"] = (["model", "encode", "--model", "{d}/model_truncated_modules", "--input", "{d}/sentences.txt", "--out", "{d}/v.npy"], "{d}/model_truncated_modules/modules.json:1: not valid JSON: Expected end of string, but instead reached end of data."),
        ["encode: --out where nothing can be written"] = (["model", "encode", "--model", "{m}", "--input", "{d}/sentences.txt", "--out", "/proc/v.npy"], "/proc/v.npy: cannot write it: Could not find file '/proc/v.npy'."),
        ["encode: --devices ,"] = (["model", "encode", "--model", "{m}", "--input", "{d}/sentences.txt", "--out", "{d}/v.npy", "--devices", ","], "--devices ',': expected a comma-separated list of devices without empty entries, such as cuda:0,cuda:1."),
        ["eval suite: missing tasks file"] = (["eval", "suite", "--model", "{m}", "--tasks", "{d}/none.json", "--out", "{d}/suite"], "--tasks {d}/none.json: file not found."),

        // notebooks, env
        ["notebooks: --out is a file"] = (["notebooks", "run", "{d}/notebook_notjson.ipynb", "--out", "{d}/a_file"], "--out {d}/a_file: is a file; expected a folder for the executed notebooks and reports."),
        ["notebooks: cell source is a number"] = (["notebooks", "run", "{d}/notebook_numbersource.ipynb", "--out", "{d}/nb"], "{d}/notebook_numbersource.ipynb: cell 1: 'source' is 42; nbformat 4 expects a string or a list of strings."),
        ["notebooks: not a notebook"] = (["notebooks", "run", "{d}/notebook_notjson.ipynb", "--out", "{d}/nb"], "{d}/notebook_notjson.ipynb:1: not valid JSON at byte 2 ('this is not a notebook' is an invalid JSON literal. Expected the literal 'true'.); is it an .ipynb notebook?"),
        ["notebooks: missing file"] = (["notebooks", "run", "{d}/none.ipynb", "--out", "{d}/nb"], "{d}/none.ipynb: notebook not found."),
        ["notebooks: --param without ="] = (["notebooks", "run", "{d}/notebook_notjson.ipynb", "--param", "n", "--out", "{d}/nb"], "--param 'n': expected name=value."),
        ["notebooks: --cell-timeout 0"] = (["notebooks", "run", "{d}/notebook_notjson.ipynb", "--cell-timeout", "0", "--out", "{d}/nb"], "--cell-timeout 0: expected a positive number of seconds."),
        ["env: unknown device"] = (["env", "--device", "tpu"], "Device 'tpu': expected cpu, cuda, cuda:N (N = 0, 1, ...) or auto."),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void BadInputExitsWithOneClearMessage(string name)
    {
        var (args, message) = Cases[name];
        var (exit, _, error) = CliHarness.Run(args.Select(Expand).ToArray());
        Assert.Equal((1, Expand(message)), (exit, error.TrimEnd('\n')));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumeRefusesACheckpointOfOtherDataOrOtherBatchSettings()
    {
        var dir = Path.Combine(fixture.Dir, "resume-mismatch");
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, "{\"batch_size\": 4, \"group_size\": 2, \"max_steps\": 2, \"checkpoint_every\": 1, \"log_every\": 1}");
        var outDir = Path.Combine(dir, "out");
        var train = (string configPath, string data) => CliHarness.Run("train", "--config", configPath, "--model", fixture.TinyBert, "--data", data, "--out", outDir, "--resume");
        var first = CliHarness.Run("train", "--config", config, "--model", fixture.TinyBert, "--data", Path.Combine(fixture.ToyData, "toy_source.json"), "--out", outDir);
        Assert.Equal(0, first.Exit);
        Assert.True(File.Exists(Path.Combine(outDir + ".checkpoint", "trainer_state.json")));

        var otherBatch = Path.Combine(dir, "config8.json");
        File.WriteAllText(otherBatch, "{\"batch_size\": 8, \"group_size\": 2, \"max_steps\": 2, \"checkpoint_every\": 1, \"log_every\": 1}");
        var (exit, _, error) = train(otherBatch, Path.Combine(fixture.ToyData, "toy_source.json"));
        Assert.Equal((1, $"checkpoint {outDir}.checkpoint was made by another run: batch_size 4 in the checkpoint, 8 now. Resume with the data and settings it was made with, or start without resuming."), (exit, error.TrimEnd('\n')));

        var otherData = Path.Combine(dir, "other.jsonl");
        File.WriteAllLines(otherData, File.ReadLines(Path.Combine(fixture.ToyData, "toy_source.json")).Reverse());
        (exit, _, error) = train(config, otherData);
        Assert.Equal((1, $"checkpoint {outDir}.checkpoint was made by another run: other training data (the records' SHA-256 differs). Resume with the data and settings it was made with, or start without resuming."), (exit, error.TrimEnd('\n')));

        // The same data and settings resume (the run had ended: nothing is left to train, the model is written again).
        (exit, _, error) = train(config, Path.Combine(fixture.ToyData, "toy_source.json"));
        Assert.Equal((0, ""), (exit, error));
    }

    [Fact]
    public void EvalSuiteThatFailsLeavesNoOutputBehind()
    {
        var outDir = Path.Combine(fixture.Dir, "suite-failed");
        var (exit, _, error) = CliHarness.Run("eval", "suite", "--model", fixture.TinyBert, "--tasks", fixture["tasks_badsts.json"], "--out", outDir);
        Assert.Equal((1, fixture["sts_badscore.tsv"] + ":2: field 'label': 'high' is not a number"), (exit, error.TrimEnd('\n')));
        Assert.False(Directory.Exists(outDir), "a failed eval suite left its output folder (model_meta.json) behind");
    }

    [Fact]
    public void MergeRefusesVectorShardsOutOfOrderAndJoinsThemInOrder()
    {
        var dir = Path.Combine(fixture.Dir, "merge-shards");
        Directory.CreateDirectory(dir);
        var input = Path.Combine(dir, "lines.txt");
        File.WriteAllLines(input, Enumerable.Range(0, 5).Select(i => $"line number {i}"));
        string Part(int i)
        {
            var path = Path.Combine(dir, $"part{i}.npy");
            Assert.Equal(0, CliHarness.Run("model", "encode", "--model", fixture.TinyBert, "--input", input, "--shard", $"{i}/2", "--out", path).Exit);
            return path;
        }
        var (p0, p1) = (Part(0), Part(1));
        var (exit, _, error) = CliHarness.Run("merge", p1, p0, "--out", Path.Combine(dir, "merged.npy"));
        Assert.Equal((1, $"{p1}: is shard 1/2, expected 0/2; give every shard once, in order."), (exit, error.TrimEnd('\n')));
        (exit, _, error) = CliHarness.Run("merge", p0, "--out", Path.Combine(dir, "merged.npy"));
        Assert.Equal((1, $"{p0}: is shard 0/2, expected 0/1; give every shard once, in order."), (exit, error.TrimEnd('\n')));
        Assert.Equal(0, CliHarness.Run("merge", p0, p1, "--out", Path.Combine(dir, "merged.npy")).Exit);
        // The merged file is the shards' rows in order, to the bit; one encode of all lines agrees within rounding (the
        // batches differ, and on some CPUs, e.g. AMD EPYC with AVX2, the GEMM's last bit depends on the number of rows).
        var merged = Research.Lib.Modeling.EmbeddingMatrix.Load(Path.Combine(dir, "merged.npy")).Data;
        Assert.Equal(Research.Lib.Modeling.EmbeddingMatrix.Load(p0).Data.Concat(Research.Lib.Modeling.EmbeddingMatrix.Load(p1).Data), merged);
        Assert.Equal(0, CliHarness.Run("model", "encode", "--model", fixture.TinyBert, "--input", input, "--out", Path.Combine(dir, "whole.npy")).Exit);
        var whole = Research.Lib.Modeling.EmbeddingMatrix.Load(Path.Combine(dir, "whole.npy")).Data;
        Assert.Equal(whole.Length, merged.Length);
        Assert.All(whole.Zip(merged), p => Assert.Equal(p.First, p.Second, 1e-6f));
    }

    [Fact]
    public void MineWithBm25NeedsNoModel()
    {
        var outDir = Path.Combine(fixture.Dir, "mine-bm25");
        var (exit, _, error) = CliHarness.Run("mine", "--input", Path.Combine(fixture.ToyData, "toy_source.json"), "--method", "Bm25", "--range", "2-20", "--negatives", "3", "--out", outDir);
        Assert.Equal((0, ""), (exit, error));
        Assert.True(File.Exists(Path.Combine(outDir, "mined.jsonl")));
    }

    [Fact]
    public void TheFinalEvaluationIsFiledWithTheLastStepNotAsAnEmptyStep()
    {
        var dir = Path.Combine(fixture.Dir, "final-eval");
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, "{\"batch_size\": 4, \"group_size\": 2, \"max_steps\": 3, \"log_every\": 1, \"evaluate_every\": 2}");
        var outDir = Path.Combine(dir, "out");
        var (exit, output, error) = CliHarness.Run("train", "--config", config, "--model", fixture.TinyBert, "--data", Path.Combine(fixture.ToyData, "toy_source.json"),
            "--eval", Path.Combine(fixture.ToyData, "toy_dev.json"), "--eval-neg", Path.Combine(fixture.ToyData, "toy_dev_neg.json"), "--out", outDir);
        Assert.Equal((0, ""), (exit, error));
        var log = File.ReadAllLines(Path.Combine(outDir, "training_log.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList();
        Assert.Equal([1L, 2, 3], log.Select(e => e["step"]!.GetValue<long>()));
        Assert.Equal([false, true, true], log.Select(e => e["eval"] is not null));
        Assert.DoesNotContain("loss      NaN", output, StringComparison.Ordinal);
    }

    private string Expand(string text) => text.Replace("{d}", fixture.Dir).Replace("{m}", fixture.TinyBert).Replace("{t}", fixture.ToyData);
}
