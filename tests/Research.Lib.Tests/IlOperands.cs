using System.Reflection;
using System.Reflection.Emit;

namespace Research.Lib.Tests;

/// <summary>The members a method body's instructions name (calls, field accesses, types, tokens), decoded from its IL.</summary>
internal static class IlOperands
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Every member an instruction of <paramref name="method"/> names that resolves (others' assemblies may be absent).</summary>
    public static List<MemberInfo> Members(MethodBase method)
    {
        var result = new List<MemberInfo>();
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException) { il = null; }
        if (il is null) return result;
        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var op = il[i] == 0xFE ? OpCodesByValue[unchecked((short)(0xFE00 | il[i + 1]))] : OpCodesByValue[il[i]];
            i += op.Size;
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                try
                {
                    if (method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs) is { } member) result.Add(member);
                }
                catch (Exception e) when (e is ArgumentException or FileNotFoundException or TypeLoadException) { }
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
        return result;
    }
}
