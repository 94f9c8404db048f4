using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Research.Lib.Devices;

/// <summary>
/// The key-value store the processes of a job meet through before the collective library connects them (PyTorch's
/// TCPStore in the kit's terms): rank 0 serves it at MASTER_ADDR:MASTER_PORT, every rank (rank 0 too) is a client. Gloo
/// puts each process's listening address under its own key and reads the others'; nothing else goes through it, and it
/// closes once the processes are connected. A get waits until the key is set, at most the timeout.
/// </summary>
public sealed class RendezvousStore : IDisposable
{
    private const byte Set = 1, Get = 2;
    private readonly TcpListener? _listener;
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly List<TcpClient> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _timeout;

    /// <param name="host">whether this process serves the store (rank 0)</param>
    /// <param name="address">MASTER_ADDR</param>
    /// <param name="port">MASTER_PORT</param>
    /// <param name="timeout">how long a client waits for the server to answer, and a get for its key</param>
    public RendezvousStore(bool host, string address, int port, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(address);
        _timeout = timeout;
        if (host)
        {
            _listener = new TcpListener(IPAddress.IPv6Any, port);
            _listener.Server.DualMode = true;
            _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try { _listener.Start(); }
            catch (SocketException e)
            {
                throw new CollectiveException($"rank 0 cannot serve the rendezvous at port {port} (MASTER_PORT): {e.Message}. Choose a free port.", e);
            }
            _ = Task.Run(AcceptLoop);
        }
        _client = Connect(address, port, timeout);
        _stream = _client.GetStream();
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>.</summary>
    public void Put(string key, ReadOnlySpan<byte> value)
    {
        lock (_stream)
        {
            WriteKey(Set, key);
            WriteInt(_stream, value.Length);
            _stream.Write(value);
            if (ReadExactly(_stream, 1)[0] != 0) throw new CollectiveException($"the rendezvous store refused key {key}.");
        }
    }

    /// <summary>The value under <paramref name="key"/>, once some process has put it (at most the timeout).</summary>
    public byte[] Take(string key)
    {
        lock (_stream)
        {
            WriteKey(Get, key);
            var length = ReadInt(_stream);
            if (length < 0) throw new CollectiveException($"no process put \"{key}\" into the rendezvous store within {_timeout.TotalSeconds:0} s: a process of the job did not start or cannot reach MASTER_ADDR.");
            return ReadExactly(_stream, length);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _client.Dispose();
        _listener?.Stop();
        lock (_accepted) foreach (var c in _accepted) c.Dispose();
        lock (_values) Monitor.PulseAll(_values);
    }

    private TcpClient Connect(string address, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var client = new TcpClient(AddressFamily.InterNetworkV6) { NoDelay = true };
            client.Client.DualMode = true;
            try
            {
                client.Connect(address, port);
                return client;
            }
            catch (SocketException e)
            {
                client.Dispose();
                last = e;
                Thread.Sleep(200); // rank 0 has not started listening yet
            }
        }
        throw new CollectiveException($"cannot reach the rendezvous at {address}:{port} (MASTER_ADDR:MASTER_PORT) within {timeout.TotalSeconds:0} s: {last?.Message}. Is rank 0 running, and is the port open?", last);
    }

    private void WriteKey(byte op, string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        _stream.WriteByte(op);
        WriteInt(_stream, bytes.Length);
        _stream.Write(bytes);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener!.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; } // stopped
            client.NoDelay = true;
            lock (_accepted) _accepted.Add(client);
            _ = Task.Factory.StartNew(() => Serve(client), TaskCreationOptions.LongRunning);
        }
    }

    private void Serve(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            while (!_stop.IsCancellationRequested)
            {
                var op = stream.ReadByte();
                if (op < 0) return;
                var key = Encoding.UTF8.GetString(ReadExactly(stream, ReadInt(stream)));
                if (op == Set)
                {
                    var value = ReadExactly(stream, ReadInt(stream));
                    lock (_values)
                    {
                        _values[key] = value;
                        Monitor.PulseAll(_values);
                    }
                    stream.WriteByte(0);
                }
                else if (op == Get)
                {
                    byte[]? value;
                    var deadline = DateTime.UtcNow + _timeout;
                    lock (_values)
                        while (!_values.TryGetValue(key, out value) && !_stop.IsCancellationRequested && DateTime.UtcNow < deadline)
                            Monitor.Wait(_values, TimeSpan.FromMilliseconds(500));
                    WriteInt(stream, value?.Length ?? -1);
                    if (value is not null) stream.Write(value);
                }
                else return; // not the kit's protocol: drop the connection
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // a client went away; the others go on
        }
        finally
        {
            client.Dispose();
        }
    }

    private static void WriteInt(Stream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    private static int ReadInt(Stream stream) => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(ReadExactly(stream, 4));

    private static byte[] ReadExactly(Stream stream, int count)
    {
        if (count is < 0 or > 64 << 20) throw new CollectiveException($"the rendezvous store got a malformed message (length {count}): is something else listening at MASTER_PORT?");
        var buffer = new byte[count];
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException e) { throw new CollectiveException("the rendezvous store closed the connection (rank 0 ended?).", e); }
        return buffer;
    }
}
