using System.Text;

namespace Research.Cli.Commands;

/// <summary>Writes to two writers at once (the console and a cell's log file).</summary>
internal sealed class TeeWriter(TextWriter first, TextWriter second) : TextWriter
{
    public override Encoding Encoding => first.Encoding;

    public override void Write(char value) { first.Write(value); second.Write(value); }

    public override void Write(string? value) { first.Write(value); second.Write(value); }

    public override void WriteLine(string? value) { first.WriteLine(value); second.WriteLine(value); }

    public override void Flush() { first.Flush(); second.Flush(); }
}
