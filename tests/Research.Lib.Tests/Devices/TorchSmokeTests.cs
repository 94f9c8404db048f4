using TorchSharp;
using static TorchSharp.torch;

namespace Research.Lib.Tests.Devices;

public class TorchSmokeTests
{
    [Fact]
    public void LinearForwardBackward()
    {
        torch.manual_seed(0);
        var lin = nn.Linear(2, 1);
        var x = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        var y = lin.forward(x).sum();
        y.backward();
        Assert.Equal(new float[] { 4, 6 }, lin.weight!.grad!.data<float>().ToArray());
    }
}
