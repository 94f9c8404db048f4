using Research.Cli.Commands;
using Research.Lib.Devices;

TorchRuntime.Initialize(); // before anything loads libtorch

return await CliApp.Create().Parse(args).InvokeAsync();
