using Microsoft.Win32.SafeHandles;

namespace Research.Lib.Search;

/// <summary>Owns a native Faiss index: freed exactly once, also when a <see cref="FaissIndex"/> is never disposed.</summary>
internal sealed class FaissHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public FaissHandle(IntPtr handle) : base(ownsHandle: true) => SetHandle(handle);

    protected override bool ReleaseHandle()
    {
        FaissNative.Free(handle);
        return true;
    }
}
