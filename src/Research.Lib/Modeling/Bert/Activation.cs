using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Research.Lib.Modeling.Bert;

/// <summary>config.json's hidden_act: gelu (erf), gelu_new / gelu_pytorch_tanh (tanh approximation), else relu.</summary>
internal static class Activation
{
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "gelu" => nn.functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" => nn.functional.gelu(x, GELU.Approximate.tanh),
        _ => nn.functional.relu(x),
    };
}
