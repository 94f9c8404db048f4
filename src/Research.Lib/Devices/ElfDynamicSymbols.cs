using System.Text;

namespace Research.Lib.Devices;

/// <summary>
/// The dynamic symbol table of a 64-bit little-endian ELF shared library, read from the file without loading it:
/// the symbols it defines, the ones it needs from elsewhere (strong and weak separately) and its DT_NEEDED libraries.
/// Enough to tell, before any call crashes with "undefined symbol", whether a libLibTorchSharp.so fits a libtorch.
/// </summary>
public sealed class ElfDynamicSymbols
{
    private ElfDynamicSymbols(HashSet<string> defined, List<string> undefined, List<string> weakUndefined, List<string> needed, List<string> runPath)
    {
        RunPath = runPath;
        Defined = defined;
        Undefined = undefined;
        WeakUndefined = weakUndefined;
        Needed = needed;
    }

    /// <summary>Names of the symbols this library exports (defined in one of its sections).</summary>
    public IReadOnlySet<string> Defined { get; }

    /// <summary>
    /// Names it needs with global binding that a relocation uses: a missing one is an error when it is first bound.
    /// (An undefined symbol no relocation refers to is never looked up, e.g. the <c>_ZSt21ios_base_library_initv</c>
    /// of GCC 13's libstdc++ in TorchSharp's glue.)
    /// </summary>
    public IReadOnlyList<string> Undefined { get; }

    /// <summary>Names it needs with weak binding: a missing one resolves to null and is tolerated.</summary>
    public IReadOnlyList<string> WeakUndefined { get; }

    /// <summary>DT_RUNPATH (or DT_RPATH) folders, as written (<c>$ORIGIN</c> unexpanded), e.g. PyTorch's libtorch_cuda.so
    /// finds the CUDA libraries of the nvidia-* wheels through <c>$ORIGIN/../../nvidia/cublas/lib</c>.</summary>
    public IReadOnlyList<string> RunPath { get; }

    /// <summary>DT_NEEDED entries (sonames of the libraries it links against), in order.</summary>
    public IReadOnlyList<string> Needed { get; }

    private const uint ShtDynsym = 11;
    private const uint ShtDynamic = 6;
    private const uint ShtRela = 4;
    private const long DtNeeded = 1;
    private const long DtRpath = 15;
    private const long DtRunpath = 29;

    public static ElfDynamicSymbols Read(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new BinaryReader(file);
        var ident = reader.ReadBytes(16);
        if (ident.Length < 16 || ident[0] != 0x7F || ident[1] != (byte)'E' || ident[2] != (byte)'L' || ident[3] != (byte)'F')
            throw new InvalidDataException($"{path}: not an ELF file.");
        if (ident[4] != 2 || ident[5] != 1)
            throw new InvalidDataException($"{path}: only 64-bit little-endian ELF is read (class {ident[4]}, data {ident[5]}).");
        file.Position = 0x28;
        var sectionOffset = reader.ReadInt64();
        file.Position = 0x3A;
        var sectionSize = reader.ReadUInt16();
        var sectionCount = reader.ReadUInt16();
        var sections = new (uint Type, long Offset, long Size, uint Link, long EntrySize)[sectionCount];
        for (var i = 0; i < sectionCount; i++)
        {
            file.Position = sectionOffset + (long)i * sectionSize + 4;
            var type = reader.ReadUInt32();
            file.Position += 16;                // flags, addr
            var offset = reader.ReadInt64();
            var size = reader.ReadInt64();
            var link = reader.ReadUInt32();
            file.Position += 12;                // info, addralign
            var entrySize = reader.ReadInt64();
            sections[i] = (type, offset, size, link, entrySize);
        }

        byte[] Bytes(int section)
        {
            file.Position = sections[section].Offset;
            return reader.ReadBytes(checked((int)sections[section].Size));
        }

        static string Name(byte[] strings, long at)
        {
            var end = Array.IndexOf(strings, (byte)0, (int)at);
            return Encoding.ASCII.GetString(strings, (int)at, (end < 0 ? strings.Length : end) - (int)at);
        }

        var defined = new HashSet<string>(StringComparer.Ordinal);
        var undefined = new List<string>();
        var weak = new List<string>();
        var needed = new List<string>();
        var runPath = new List<string>();
        var strongUndefined = new Dictionary<long, string>(); // symbol index -> name
        var relocated = new HashSet<long>();
        for (var s = 0; s < sectionCount; s++)
        {
            var (type, _, size, link, entrySize) = sections[s];
            if (type == ShtRela && sections[(int)link].Type == ShtDynsym)
            {
                var table = Bytes(s);
                for (var at = 0; at + 24 <= table.Length; at += 24)
                    relocated.Add((long)(BitConverter.ToUInt64(table, at + 8) >> 32));
            }
            if (type == ShtDynsym)
            {
                var strings = Bytes((int)link);
                var table = Bytes(s);
                for (long at = entrySize; at + 24 <= size; at += entrySize) // entry 0 is the null symbol
                {
                    var nameAt = BitConverter.ToUInt32(table, (int)at);
                    var binding = table[at + 4] >> 4;   // 1 global, 2 weak, 10 unique
                    var sectionIndex = BitConverter.ToUInt16(table, (int)at + 6);
                    if (nameAt == 0) continue;
                    var name = Name(strings, nameAt);
                    if (sectionIndex != 0) defined.Add(name);
                    else if (binding == 2) weak.Add(name);
                    else strongUndefined[at / entrySize] = name;
                }
            }
            else if (type == ShtDynamic)
            {
                var strings = Bytes((int)link);
                var table = Bytes(s);
                for (var at = 0; at + 16 <= table.Length; at += 16)
                {
                    var tag = BitConverter.ToInt64(table, at);
                    if (tag == DtNeeded)
                        needed.Add(Name(strings, BitConverter.ToInt64(table, at + 8)));
                    else if (tag is DtRunpath or DtRpath)
                        runPath.AddRange(Name(strings, BitConverter.ToInt64(table, at + 8)).Split(':', StringSplitOptions.RemoveEmptyEntries));
                }
            }
        }
        undefined.AddRange(strongUndefined.Where(kv => relocated.Contains(kv.Key)).OrderBy(kv => kv.Key).Select(kv => kv.Value));
        return new ElfDynamicSymbols(defined, undefined, weak, needed, runPath);
    }
}
