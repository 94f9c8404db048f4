using Research.Lib.Devices;

namespace Research.Lib.Tests.Devices;

/// <summary>The ABI check of <c>research env</c>: ELF symbol tables read from the files, libtorch version files.</summary>
public class LibTorchInfoTests
{
    private static string Glue => LibTorchInfo.FindGlue() ?? throw new InvalidOperationException("libLibTorchSharp.so not found beside the test assembly");

    [Fact]
    public void ReadsTheGluesLinksExportsAndNeeds()
    {
        var elf = ElfDynamicSymbols.Read(Glue);
        Assert.Equal(["libtorch.so", "libc10.so", "libtorch_cpu.so", "libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6", "ld-linux-x86-64.so.2"], elf.Needed);
        Assert.Contains("THSTensor_add", elf.Defined);
        Assert.Contains("THSTorch_manual_seed", elf.Defined);
        Assert.DoesNotContain("THSTensor_add", elf.Undefined);
        // GCC 13's libstdc++ initializer is listed but no relocation uses it: not a real need (environment.md).
        Assert.DoesNotContain("_ZSt21ios_base_library_initv", elf.Undefined);
        Assert.Contains("_ZTH14torch_last_err", elf.WeakUndefined);
    }

    [Fact]
    public void TheBuildsOwnLibTorchFitsTheGlue()
    {
        var abi = LibTorchInfo.CheckAbi(Glue);
        Assert.True(abi.Fits);
        Assert.Empty(abi.Missing);
        Assert.Equal(["_ZTH14torch_last_err", "_ZTHN3c104impl26raw_local_dispatch_key_setE"], abi.MissingWeak); // absent from libtorch 2.10 too
        Assert.True(File.Exists(Path.Combine(abi.LibTorchDirectory!, "libtorch_cpu.so"))); // beside the glue, or LD_LIBRARY_PATH's (the bundle)
        Assert.True(abi.Needed > 1000);
    }

    [Fact]
    public void ALibTorchOutsideTheSearchFoldersIsReportedUnresolved()
    {
        using var dir = new TempDir();
        var alone = Path.Combine(dir.Path, "libLibTorchSharp.so"); // a copy with no libtorch beside it ($ORIGIN)
        File.Copy(Glue, alone);
        var abi = LibTorchInfo.CheckAbi(alone, ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"]);
        Assert.False(abi.Fits);
        Assert.Equal(["libtorch.so", "libc10.so", "libtorch_cpu.so"], abi.Unresolved);
        Assert.Null(abi.LibTorchDirectory);
    }

    [SkippableFact]
    public void DependenciesAreFoundThroughEachLibrarysRunPath()
    {
        // A CUDA libtorch (PyTorch's) reaches the nvidia-* wheels through $ORIGIN/../../nvidia/...: links elsewhere cannot.
        Skip.If(File.Exists(Path.Combine(LibTorchInfo.CheckAbi(Glue).LibTorchDirectory!, "libtorch_cuda.so")), "a CUDA libtorch: its CUDA libraries are found relative to its own folder only");
        // The glue's RUNPATH starts with $ORIGIN/: beside it, its libtorch is found even when no search folder holds it
        // (as PyTorch's libtorch_cuda.so finds the nvidia-* wheels' CUDA libraries through its own RUNPATH).
        Assert.Equal("$ORIGIN/", ElfDynamicSymbols.Read(Glue).RunPath[0]);
        using var dir = new TempDir();
        var source = LibTorchInfo.CheckAbi(Glue).LibTorchDirectory!;
        File.Copy(Glue, Path.Combine(dir.Path, "libLibTorchSharp.so"));
        foreach (var lib in Directory.EnumerateFiles(source, "lib*.so*").Where(f => Path.GetFileName(f) is "libtorch.so" or "libc10.so" or "libtorch_cpu.so" || Path.GetFileName(f).StartsWith("libgomp", StringComparison.Ordinal)))
            File.CreateSymbolicLink(Path.Combine(dir.Path, Path.GetFileName(lib)), lib);
        var abi = LibTorchInfo.CheckAbi(Path.Combine(dir.Path, "libLibTorchSharp.so"), ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"]);
        Assert.True(abi.Fits, string.Join(", ", abi.Unresolved.Concat(abi.Missing.Take(3))));
        Assert.Equal(dir.Path, abi.LibTorchDirectory);
    }

    [Fact]
    public void AnotherLibrarysExportsDoNotSatisfyTheGlue()
    {
        using var dir = new TempDir();
        // libtorch.so, libc10.so and libtorch_cpu.so all "resolve" to libm: every libtorch symbol is then missing.
        var fake = Directory.CreateDirectory(Path.Combine(dir.Path, "fake")).FullName;
        foreach (var name in new[] { "libtorch.so", "libc10.so", "libtorch_cpu.so" })
            File.Copy("/lib/x86_64-linux-gnu/libm.so.6", Path.Combine(fake, name));
        var alone = Path.Combine(dir.Path, "libLibTorchSharp.so");
        File.Copy(Glue, alone);
        var abi = LibTorchInfo.CheckAbi(alone, [fake, "/lib/x86_64-linux-gnu"]);
        Assert.False(abi.Fits);
        Assert.Empty(abi.Unresolved);
        Assert.Contains(abi.Missing, s => s.StartsWith("_ZN2at", StringComparison.Ordinal));
    }

    [Fact]
    public void NonElfFilesAreRefusedByName()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "libfake.so");
        File.WriteAllText(path, "not a library");
        var e = Assert.Throws<InvalidDataException>(() => ElfDynamicSymbols.Read(path));
        Assert.Equal($"{path}: not an ELF file.", e.Message);
    }

    [Fact]
    public void VersionComesFromPyTorchsVersionFileOrALibTorchDownload()
    {
        using var dir = new TempDir();
        var torchLib = Directory.CreateDirectory(Path.Combine(dir.Path, "torch", "lib")).FullName;
        File.WriteAllText(Path.Combine(dir.Path, "torch", "version.py"),
            "from typing import Optional\n__all__ = ['__version__']\n__version__ = '2.11.0+cu130'\ndebug = False\ncuda: Optional[str] = '13.0'\ngit_version = 'abc'\n");
        Assert.Equal(("2.11.0+cu130", "13.0"), LibTorchInfo.Version(torchLib));

        var download = Directory.CreateDirectory(Path.Combine(dir.Path, "libtorch", "lib")).FullName;
        File.WriteAllText(Path.Combine(dir.Path, "libtorch", "build-version"), "2.5.1+cu124\n");
        Assert.Equal(("2.5.1+cu124", "12.4"), LibTorchInfo.Version(download));

        File.WriteAllText(Path.Combine(dir.Path, "torch", "version.py"), "__version__ = '2.10.0+cpu'\ncuda: Optional[str] = None\n");
        Assert.Equal(("2.10.0+cpu", null), LibTorchInfo.Version(torchLib));
    }
}
