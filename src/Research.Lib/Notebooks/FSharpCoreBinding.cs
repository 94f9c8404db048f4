using System.Reflection;
using System.Runtime.Loader;

namespace Research.Lib.Notebooks;

/// <summary>
/// Lets Plotly.NET run in a notebook kernel that ships an older FSharp.Core. Plotly.NET 6 is built against
/// FSharp.Core 10.1; dotnet-repl 0.3.259 loads FSharp.Core 10.0 into the default load context before any cell runs, so
/// <c>#r "nuget: Plotly.NET"</c> fails at the first chart with <c>FileNotFoundException: Could not load file or assembly
/// 'FSharp.Core, Version=10.1.0.0'</c> (a second FSharp.Core cannot join that context). <see cref="Install"/> answers
/// such a request with the FSharp.Core already loaded — a binding redirect, as .NET Framework's config files wrote
/// them; FSharp.Core keeps backward compatibility, and Plotly.NET's charts, HTML and JSON were checked through it in
/// dotnet-repl. Where the requested version loads normally (the kit's runner, the dotnet-interactive tool with a newer
/// FSharp.Core) the handler is never asked.
/// </summary>
public static class FSharpCoreBinding
{
    private static int installed;

    /// <summary>Installs the redirect once per process; returns what it found loaded, for the notebook to show.</summary>
    public static string Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 0)
            AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == "FSharp.Core" ? Loaded() : null;
        var loaded = Loaded();
        return loaded is null
            ? "FSharp.Core: none loaded yet (the first F# library loads its own)"
            : $"FSharp.Core {loaded.GetName().Version} loaded; later requests for FSharp.Core resolve to it";
    }

    private static Assembly? Loaded() =>
        AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
}
