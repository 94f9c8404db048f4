namespace Research.Lib.Devices;

/// <summary>A multi-process job could not meet or a collective operation failed (another process ended, or timed out).</summary>
public sealed class CollectiveException : Exception
{
    public CollectiveException() { }

    public CollectiveException(string message) : base(message) { }

    public CollectiveException(string message, Exception? inner) : base(message, inner) { }
}
