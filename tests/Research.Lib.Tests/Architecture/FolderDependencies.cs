using System.Reflection;

namespace Research.Lib.Tests.Architecture;

/// <summary>
/// Which folder of the library uses which, read from the compiled IL (signatures, fields, base types, locals and every
/// member, type and token an instruction names), so a use that needs no <c>using</c> line is seen too. A folder is
/// the first namespace segment under <c>Research.Lib</c>.
/// </summary>
internal static class FolderDependencies
{
    private const string Root = "Research.Lib.";
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>The folder of a type of the library, or null for another assembly's type.</summary>
    public static string? Folder(Type type, Assembly library)
    {
        while (type.IsNested) type = type.DeclaringType!;
        if (type.Assembly != library || type.Namespace is null || !type.Namespace.StartsWith(Root, StringComparison.Ordinal)) return null;
        return type.Namespace[Root.Length..].Split('.')[0];
    }

    /// <summary>Edges "from → to" between folders, each with one example of a use (type and what it uses).</summary>
    public static Dictionary<(string From, string To), string> Edges(Assembly library)
    {
        var edges = new Dictionary<(string, string), string>();
        foreach (var type in library.GetTypes())
        {
            var from = Folder(type, library);
            if (from is null) continue;
            foreach (var used in Uses(type))
                foreach (var t in Flatten(used))
                    if (Folder(t, library) is { } to && to != from)
                        edges.TryAdd((from, to), $"{type.FullName} uses {t.FullName}");
        }
        return edges;
    }

    /// <summary>Strongly connected groups of more than one folder: each is a cycle.</summary>
    public static List<List<string>> Cycles(IEnumerable<(string From, string To)> edges)
    {
        var graph = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct().ToList());
        var nodes = edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var reach = nodes.ToDictionary(n => n, n => Reachable(graph, n));
        return nodes.Select(n => nodes.Where(m => m == n || reach[n].Contains(m) && reach[m].Contains(n)).ToList())
            .Where(g => g.Count > 1).DistinctBy(g => string.Join(",", g)).ToList();
    }

    private static HashSet<string> Reachable(Dictionary<string, List<string>> graph, string start)
    {
        var seen = new HashSet<string>();
        var stack = new Stack<string>([start]);
        while (stack.Count > 0)
            foreach (var next in graph.GetValueOrDefault(stack.Pop()) ?? [])
                if (seen.Add(next)) stack.Push(next);
        return seen;
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType) { foreach (var t in Flatten(type.GetElementType()!)) yield return t; yield break; }
        if (type.IsGenericParameter) yield break;
        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
            foreach (var a in type.GetGenericArguments())
                foreach (var t in Flatten(a)) yield return t;
    }

    private static IEnumerable<Type> Uses(Type type)
    {
        if (type.BaseType is { } b) yield return b;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var f in type.GetFields(Declared)) yield return f.FieldType;
        foreach (var p in type.GetProperties(Declared)) yield return p.PropertyType;
        foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo mi) yield return mi.ReturnType;
            foreach (var p in m.GetParameters()) yield return p.ParameterType;
            foreach (var t in BodyUses(m)) yield return t;
        }
    }

    private static IEnumerable<Type> BodyUses(MethodBase method)
    {
        MethodBody? body;
        try { body = method.GetMethodBody(); }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException) { yield break; }
        if (body is null) yield break;
        foreach (var local in body.LocalVariables) yield return local.LocalType;
        foreach (var member in IlOperands.Members(method))
            switch (member)
            {
                case Type t: yield return t; break;
                case FieldInfo f: yield return f.DeclaringType!; yield return f.FieldType; break;
                case MethodBase m:
                    yield return m.DeclaringType!;
                    if (m is MethodInfo { IsGenericMethod: true } g) foreach (var a in g.GetGenericArguments()) yield return a;
                    break;
            }
    }
}
