using System.CommandLine;
using System.Runtime.InteropServices;
using Research.Lib.Devices;
using TorchSharp;

namespace Research.Cli.Commands;

/// <summary><c>research env</c>: proves the native Torch runtime loads here and says which devices it sees.</summary>
internal static class EnvCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => "auto" };
        var cmd = new Command("env", "Show the runtime, the Torch backend and devices, and run a small forward/backward pass on the chosen device.") { device };
        cmd.SetAction(r => Run(r.GetValue(device)!));
        return cmd;
    }

    private static int Run(string deviceText)
    {
        Console.WriteLine($".NET {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription} ({RuntimeInformation.ProcessArchitecture}), {Environment.ProcessorCount} cores");
        if (!CheckLibTorch())
            return 1;
        try
        {
            var device = DeviceSpec.Parse(deviceText).Resolve();
            Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}; CUDA available: {torch.cuda.is_available()} ({(torch.cuda.is_available() ? torch.cuda.device_count() : 0)} device(s)); threads: {torch.get_num_threads()}; {TorchRuntime.Status}; {TorchRuntime.NativeStatus}");
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(0);
            var layer = torch.nn.Linear(64, 8).to(device);
            var x = torch.randn(16, 64, device: device);
            var output = layer.forward(x);
            var loss = output.mul(output).mean();
            loss.backward();
            var gradNorm = layer.weight!.grad!.norm().item<float>();
            Console.WriteLine($"forward/backward on {device}: loss {loss.item<float>():0.0000}, weight grad norm {gradNorm:0.0000}");
            Console.WriteLine(CpuFeatures.Bf16Summary(CpuFeatures.Flags));
            Console.WriteLine(ProcessGroup.Unavailable is { } why ? $"multi-process training: unavailable ({why})" : "multi-process training: Gloo loaded (research launch --nproc-per-node N -- train …)");
            Console.WriteLine($"libtorch loaded from: {LibTorchInfo.LoadedLibTorchDirectory() ?? "(not found in /proc/self/maps)"}");
            var (driver, gpus) = LibTorchInfo.CudaDevices();
            Console.WriteLine(driver is null ? "NVIDIA driver: none (libcuda.so.1 not loadable)" : $"NVIDIA driver: {driver}; GPUs: {(gpus.Count == 0 ? "none" : string.Join("; ", gpus))}");
            return 0;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    /// <summary>
    /// Reads libLibTorchSharp.so's needed symbols and its libtorch's exports from the files, before anything is loaded:
    /// prints which libtorch it will use (version, CUDA) and refuses, with what to do, when it is not found or its
    /// ABI does not match (a missing symbol would otherwise crash the process at its first call).
    /// </summary>
    private static bool CheckLibTorch()
    {
        if (!OperatingSystem.IsLinux() || LibTorchInfo.FindGlue() is not { } glue)
        {
            Console.WriteLine("libtorch: resolved by TorchSharp (no libLibTorchSharp.so beside the application to check)");
            return true;
        }
        var abi = LibTorchInfo.CheckAbi(glue);
        Console.WriteLine($"TorchSharp glue: {glue}");
        if (abi.Unresolved.Count > 0)
        {
            Console.Error.WriteLine($"libtorch not found: {string.Join(", ", abi.Unresolved)} (needed by {glue}) is in none of: {string.Join(", ", LibTorchInfo.SearchFolders(glue))}.\n"
                + "Point LD_LIBRARY_PATH at an installed libtorch, e.g. PyTorch's: export LD_LIBRARY_PATH=$(python3 -c \"import torch, os; print(os.path.dirname(torch.__file__))\")/lib "
                + "(or a libtorch download's lib folder), or run through the bundle's launcher (scripts/bundle.sh), or build without -p:TorchBackend=external.");
            return false;
        }
        var directory = abi.LibTorchDirectory ?? "?";
        var (version, cuda) = LibTorchInfo.Version(directory);
        Console.WriteLine($"libtorch: {directory} (version {version ?? "not recorded"}, CUDA {cuda ?? "none"})");
        if (abi.Missing.Count > 0)
        {
            Console.Error.WriteLine($"ABI mismatch: {abi.Missing.Count} of the {abi.Needed} symbols {Path.GetFileName(glue)} needs are exported by no library of this libtorch "
                + $"(first: {string.Join(", ", abi.Missing.Take(3))}). TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} was built for libtorch 2.10; "
                + "use a PyTorch / libtorch whose C++ ABI matches (2.10 and 2.11 were measured to work) or the build's own libtorch (build without -p:TorchBackend=external).");
            return false;
        }
        Console.WriteLine($"ABI check: all {abi.Needed} symbols {Path.GetFileName(glue)} needs are exported by its {abi.Resolved.Count} libraries"
            + (abi.MissingWeak.Count > 0 ? $"; {abi.MissingWeak.Count} weak one(s) absent, tolerated ({string.Join(", ", abi.MissingWeak.Take(3))})" : ""));
        return true;
    }
}
