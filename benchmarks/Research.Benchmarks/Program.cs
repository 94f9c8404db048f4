using Research.Benchmarks;

return args switch
{
    ["jsonl-streaming", .. var rest] => JsonlStreamingBenchmark.Run(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Research.Benchmarks jsonl-streaming [--records 1000000,300000,100000] [--dir DIR]");
    return 2;
}
