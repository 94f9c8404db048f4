using System.Text;
using System.Text.Json.Nodes;

namespace Research.Notebooks;

/// <summary>Collects one cell's outputs in order: text written to stdout/stderr between displays becomes stream outputs.</summary>
internal sealed class CellWriter
{
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _gate = new();

    public CellWriter()
    {
        Out = new Sink(this, _stdout);
        Error = new Sink(this, _stderr);
    }

    public List<JsonObject> Outputs { get; } = [];

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public void Add(JsonObject output)
    {
        lock (_gate)
        {
            Flush();
            Outputs.Add(output);
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (_stdout.Length > 0) { Outputs.Add(Notebooks.Outputs.Stream("stdout", _stdout.ToString())); _stdout.Clear(); }
            if (_stderr.Length > 0) { Outputs.Add(Notebooks.Outputs.Stream("stderr", _stderr.ToString())); _stderr.Clear(); }
        }
    }

    private sealed class Sink(CellWriter owner, StringBuilder buffer) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (owner._gate) buffer.Append(value);
        }

        public override void Write(string? value)
        {
            lock (owner._gate) buffer.Append(value);
        }
    }
}
