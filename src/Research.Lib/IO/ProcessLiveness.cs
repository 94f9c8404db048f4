namespace Research.Lib.IO;

/// <summary>Whether the process that left a temporary file is still running (then its file is not stale).</summary>
internal static class ProcessLiveness
{
    public static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
