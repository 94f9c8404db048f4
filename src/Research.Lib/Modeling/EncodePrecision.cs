namespace Research.Lib.Modeling;

/// <summary>Numeric precision of inference. Float32 is the default; BFloat16 works on CPU and recent GPUs; Float16 needs CUDA.</summary>
public enum EncodePrecision
{
    Float32,
    BFloat16,
    Float16,
}
