namespace Research.Lib.Notebooks;

/// <summary>
/// Tells the .NET Interactive formatter (the one Polyglot, dotnet-repl and the kit's runner use) how to show a kit
/// type, by convention: the formatter looks for an attribute of this name in any namespace, so the library needs no
/// reference to the kernel's packages and works with whatever kernel version loads it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;

    public string[]? PreferredMimeTypes { get; set; }
}
