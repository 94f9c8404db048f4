using System.Reflection;
using TorchSharp;

namespace Research.Lib.Tests.Tensors;

/// <summary>
/// Reads the IL of an assembly and lists every call that lets a temporary TorchSharp <see cref="Scalar"/> reach native code
/// unrooted (see Research.Lib.Tensors.Scalars for why that crashes at random): an implicit conversion to Scalar; a
/// Scalar made (ToScalar, a method returning Scalar) in a method that never disposes one (a <c>using</c> keeps it alive
/// past the call); or a call into a TorchSharp method that does either itself, followed through TorchSharp's own calls
/// (e.g. <c>a + b</c> → <c>add(b)</c> → <c>add(b, 1)</c>) and into the <c>forward</c> of every module type the code makes.
/// Static constructors are exempt: a Scalar kept in a static field is a GC root.
/// </summary>
internal static class ScalarLifetimeScanner
{
    private static readonly Assembly Torch = typeof(Scalar).Assembly;
    private static readonly Dictionary<MethodBase, string?> TorchVerdicts = [];
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>"Type.Method: callee: why" for each offending call in <paramref name="assembly"/>.</summary>
    public static List<string> Offenders(Assembly assembly)
    {
        var found = new List<string>();
        foreach (var type in assembly.GetTypes())
            foreach (var method in Methods(type))
            {
                if (method.IsStatic && method is ConstructorInfo) continue;
                var calls = Calls(method);
                var disposes = calls.Any(IsDispose);
                foreach (var callee in calls.Where(c => c.DeclaringType?.Assembly == Torch))
                {
                    var why = callee.DeclaringType == typeof(Scalar) && callee.Name == "op_Implicit" ? "implicit conversion to Scalar"
                        : ReturnsScalar(callee) && !disposes ? "a Scalar made and never disposed"
                        : Verdict(callee, 0);
                    if (why is not null) found.Add($"{type.FullName}.{method.Name}: {callee.DeclaringType!.Name}.{callee}: {why}");
                }
            }
        return found;
    }

    /// <summary>Why a TorchSharp method makes an unrooted temporary Scalar, or null.</summary>
    private static string? Verdict(MethodBase method, int depth)
    {
        if (TorchVerdicts.TryGetValue(method, out var known)) return known;
        TorchVerdicts[method] = null; // recursion guard
        string? verdict = null;
        if (depth <= 8 && method.DeclaringType != typeof(Scalar) && method.DeclaringType != typeof(ScalarExtensionMethods))
        {
            var calls = Calls(method);
            if (calls.Any(ReturnsScalar) && !calls.Any(IsDispose))
                verdict = "makes a temporary Scalar inside TorchSharp";
            else
                foreach (var callee in calls.Where(c => c.DeclaringType?.Assembly == Torch).Concat(ModuleForwards(method)))
                    if (Verdict(callee, depth + 1) is { } inner)
                    {
                        verdict = $"calls {callee.DeclaringType?.Name}.{callee.Name}, which {inner}";
                        break;
                    }
        }
        return TorchVerdicts[method] = verdict;
    }

    /// <summary>The forward methods of the module a factory or constructor returns (calls through Module.call are virtual).</summary>
    private static IEnumerable<MethodBase> ModuleForwards(MethodBase method)
    {
        var made = method is ConstructorInfo c ? c.DeclaringType : (method as MethodInfo)?.ReturnType;
        if (made is null || !typeof(torch.nn.Module).IsAssignableFrom(made) || made.Assembly != Torch) return [];
        return made.GetMethods(Declared).Where(m => m.Name == "forward");
    }

    private static bool ReturnsScalar(MethodBase m) => m is MethodInfo info && info.ReturnType == typeof(Scalar);

    private static bool IsDispose(MethodBase m) => m.Name == "Dispose" && (m.DeclaringType == typeof(Scalar) || m.DeclaringType == typeof(IDisposable));

    private static IEnumerable<MethodBase> Methods(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));

    /// <summary>Every method a body calls, makes a delegate of, or constructs (call, callvirt, newobj, ldftn, ldvirtftn).</summary>
    private static List<MethodBase> Calls(MethodBase method) => [.. IlOperands.Members(method).OfType<MethodBase>()];
}
