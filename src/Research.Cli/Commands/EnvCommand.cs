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
        try
        {
            var device = DeviceSpec.Parse(deviceText).Resolve();
            Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}; CUDA available: {torch.cuda.is_available()} ({(torch.cuda.is_available() ? torch.cuda.device_count() : 0)} device(s)); threads: {torch.get_num_threads()}; {TorchRuntime.Status}; {TorchRuntime.NativeStatus}");
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(0);
            var layer = torch.nn.Linear(64, 8).to(device);
            var x = torch.randn(16, 64, device: device);
            var loss = layer.forward(x).pow(2).mean();
            loss.backward();
            var gradNorm = layer.weight!.grad!.norm().item<float>();
            Console.WriteLine($"forward/backward on {device}: loss {loss.item<float>():0.0000}, weight grad norm {gradNorm:0.0000}");
            return 0;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
