namespace Research.Lib.Modeling;

/// <summary>Element types the kit reads and writes in safetensors files.</summary>
public enum SafetensorsDType
{
    F32,
    F16,
    BF16,
}
