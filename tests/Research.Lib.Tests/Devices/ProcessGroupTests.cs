using Research.Lib.Devices;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Devices;

/// <summary>
/// The collectives through Gloo, with the two "processes" of a job as two threads of this one (each its own Gloo context
/// over TCP on the loopback, met through the kit's rendezvous store). Two real processes: Research.Cli.Tests'
/// MultiProcessTrainingTests.
/// </summary>
public sealed class ProcessGroupTests
{
    private static ProcessGroup[] Connect(int size)
    {
        var port = ProcessLauncher.FreePort();
        var tasks = Enumerable.Range(0, size).Select(rank => Task.Run(() =>
            ProcessGroup.Connect(new LaunchEnvironment(rank, size, rank, "127.0.0.1", port, "test"), TimeSpan.FromSeconds(60)))).ToArray();
        Task.WaitAll(tasks);
        return tasks.Select(t => t.Result).ToArray();
    }

    private static T[] OnEach<T>(ProcessGroup[] groups, Func<ProcessGroup, T> body)
    {
        var tasks = groups.Select(g => Task.Run(() => body(g))).ToArray();
        Task.WaitAll(tasks);
        return tasks.Select(t => t.Result).ToArray();
    }

    [Fact]
    public void SumsGatherAndBroadcastReachEveryProcessInRankOrder()
    {
        Assert.Null(ProcessGroup.Unavailable);
        var groups = Connect(2);
        try
        {
            // Sum: in place, in CPU memory and through a copy for a strided view.
            var sums = OnEach(groups, g =>
            {
                using var t = tensor(new float[] { 1 + g.Rank, 10 * (g.Rank + 1), -0.5f });
                g.AllReduceSum(t);
                using var m = tensor(new float[] { 1, 2, 3, 4 }).view(2, 2).t(); // not contiguous
                g.AllReduceSum(m);
                return (t.data<float>().ToArray(), m.contiguous().data<float>().ToArray());
            });
            foreach (var (flat, strided) in sums)
            {
                Assert.Equal([3f, 30f, -1f], flat);
                Assert.Equal([2f, 6f, 4f, 8f], strided);
            }

            // Gather: rank 0 has 2 rows, rank 1 one; every process gets all 3 in rank order.
            long[] rows = [2, 1];
            var gathered = OnEach(groups, g =>
            {
                using var local = g.Rank == 0 ? tensor(new float[] { 1, 2, 3, 4 }, [2, 2]) : tensor(new float[] { 5, 6 }, [1, 2]);
                using var all = g.AllGatherRows(local, rows);
                return (all.shape, all.data<float>().ToArray());
            });
            foreach (var (shape, values) in gathered)
            {
                Assert.Equal([3L, 2L], shape);
                Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], values);
            }

            // Broadcast: rank 0's values everywhere.
            var received = OnEach(groups, g => g.Broadcast(g.IsMain ? [0.75, -2] : [9, 9]));
            Assert.All(received, r => Assert.Equal([0.75, -2], r));

            var e = Assert.Throws<ArgumentException>(() => groups[0].AllGatherRows(zeros(3, 2), rows));
            Assert.Equal("AllGatherRows: rank 0 has [3, 2], and the row counts name 2/1 for 2 processes.", e.Message);
        }
        finally
        {
            foreach (var g in groups) g.Dispose();
        }
    }

    [Fact]
    public void AProcessThatLeavesMakesTheOthersNextCollectiveFailWithAMessage()
    {
        var groups = Connect(2);
        try
        {
            groups[1].Dispose(); // rank 1 ends: its connections close
            using var t = ones(4);
            var e = Assert.Throws<CollectiveException>(() => groups[0].AllReduceSum(t));
            Assert.StartsWith("rank 0 of 2: summing gradients failed: ", e.Message);
            Assert.EndsWith("Another process of the job ended or stopped answering (or the 60 s collective timeout passed); this process stops too.", e.Message);
            // The group stays broken: the next collective says the same at once.
            Assert.Equal(e.Message, Assert.Throws<CollectiveException>(() => groups[0].Barrier()).Message);
        }
        finally
        {
            groups[0].Dispose();
        }
    }

    [Fact]
    public async Task TheRendezvousWaitsForAKeyAndSaysWhenNoneCame()
    {
        var port = ProcessLauncher.FreePort();
        using var host = new RendezvousStore(true, "127.0.0.1", port, TimeSpan.FromSeconds(2));
        using var client = new RendezvousStore(false, "127.0.0.1", port, TimeSpan.FromSeconds(2));
        var waiting = Task.Run(() => client.Take("rank_0"));
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        host.Put("rank_0", [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, await waiting);
        var e = Assert.Throws<CollectiveException>(() => client.Take("rank_1"));
        Assert.Equal("no process put \"rank_1\" into the rendezvous store within 2 s: a process of the job did not start or cannot reach MASTER_ADDR.", e.Message);
    }
}
