using Research.Benchmarks;
using Research.Lib.Devices;

TorchRuntime.Initialize(); // before anything loads libtorch

try
{
    return Dispatch(args);
}
catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException or FormatException)
{
    // Bad input (a missing file, too few records, a malformed number): one line, no stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static int Dispatch(string[] args) => args switch
{
    ["jsonl-streaming", .. var rest] => JsonlStreamingBenchmark.Run(rest),
    ["encode-throughput", .. var rest] => EncodeThroughputBenchmark.Run(rest),
    ["scifact-bm25", .. var rest] => SciFactBm25Experiment.Run(rest),
    ["vector-search", .. var rest] => VectorSearchBenchmark.Run(rest),
    ["onnx-zero-shot", .. var rest] => PretrainedOnnxBenchmark.ZeroShot(rest),
    ["onnx-speed", .. var rest] => PretrainedOnnxBenchmark.Speed(rest),
    ["onnx-int8", .. var rest] => QuantizedOnnxBenchmark.Run(rest),
    ["exact-memory", .. var rest] => ExactSearchMemoryBenchmark.Run(rest),
    ["clean-mine-scale", .. var rest] => CleanMineScaleBenchmark.Run(rest),
    ["train-throughput", .. var rest] => TrainThroughputBenchmark.Run(rest),
    ["train-profile", .. var rest] => TrainProfileBenchmark.Run(rest),
    ["lora-train", .. var rest] => LoraTrainBenchmark.Run(rest),
    ["simcse-throughput", .. var rest] => SimCseThroughputBenchmark.Run(rest),
    ["attention", .. var rest] => AttentionBenchmark.Run(rest),
    ["gpu", .. var rest] => GpuBenchmark.Run(rest),
    ["gpu-run", .. var rest] => GpuBenchmark.RunOne(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Research.Benchmarks jsonl-streaming [--records 100000,300000,1000000] [--dir DIR]\n       Research.Benchmarks encode-throughput [--models tiny,base] [--batches 20] [--threads 2]\n       Research.Benchmarks scifact-bm25 [--data ../shared/data/beir_scifact] [--out benchmarks/out/scifact]\n       Research.Benchmarks vector-search [--docs 100000] [--queries 100000] [--dim 256] [--k 10] [--range 0.9] [--methods flat,exact,hnsw,ivf]\n       Research.Benchmarks onnx-zero-shot [--models all-MiniLM-L6-v2,snowflake-arctic-embed-xs] [--data ../shared/data/beir_scifact]\n       Research.Benchmarks onnx-speed [--model all-MiniLM-L6-v2] [--docs 1000] [--threads 2]\n       Research.Benchmarks onnx-int8 [--model artifacts/models/minilm] [--data ../shared/data/beir_scifact] [--threads 2]\n       Research.Benchmarks exact-memory [--sizes 100000,1000000] [--dim 128] [--queries 1024]\n       Research.Benchmarks clean-mine-scale [--clean 100000,1000000] [--mine 100000x1000000] [--shards 4] [--index IVF]\n       Research.Benchmarks train-throughput [--model artifacts/models/minilm] [--data pairs.jsonl] [--steps 12] [--threads 2] [--memory-batch 256] [--chunk 16]\n       Research.Benchmarks train-profile [--model artifacts/models/minilm] [--data artifacts/real/scifact/train.jsonl] [--steps 8] [--threads 2]\n       Research.Benchmarks lora-train [--model artifacts/models/minilm] [--data artifacts/experiments/scifact-st-recipe/mined/mined.jsonl] [--steps 4] [--threads 2]\n       Research.Benchmarks simcse-throughput [--model artifacts/models/minilm] [--data sentences.txt] [--steps 12] [--threads 2]\n       Research.Benchmarks attention [--model artifacts/models/minilm] [--texts FILE] [--skip 0] [--count 512] [--batch 64] [--max-length 128] [--precision fp32|bf16] [--repeats 3]\n       Research.Benchmarks gpu [--model DIR] [--init-base TOKENIZER_DIR] [--texts FILE] [--pairs JSONL] [--precisions fp32,bf16,fp16] [--batches 128,512] [--train-batch 64] [--train-steps 30] [--train-warmup 15] [--reference benchmarks/reference/gpu_reference.py|none] [--out benchmarks/out/gpu.jsonl]");
    return 2;
}
