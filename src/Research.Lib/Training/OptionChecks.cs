using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Research.Lib.Training;

/// <summary>
/// Checks the training options share, with errors that name each setting as the JSON configuration spells it
/// (snake_case, nested settings as <c>info_nce.temperature</c>) and give the value.
/// </summary>
internal static class OptionChecks
{
    /// <summary>Every number of the options (nested option records included) is finite: NaN and ±Infinity are refused.</summary>
    public static void Finite(object options, string prefix = "")
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            var name = prefix + JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            object? value;
            try
            {
                value = property.GetValue(options);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                // A computed property that checks its input (a loss's name) reports its own error, not reflection's wrapper.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
            if (value is double d && !double.IsFinite(d) || value is float f && !float.IsFinite(f))
                throw new ArgumentException($"{name} {Format(value)}: expected a finite number.");
            if (value is not null && property.PropertyType.IsClass && property.PropertyType.Namespace?.StartsWith("Research.Lib", StringComparison.Ordinal) == true)
                Finite(value, name + ".");
        }
    }

    public static void Positive(string name, double value)
    {
        if (!(value > 0)) throw new ArgumentException($"{name} {Format(value)}: expected a positive number.");
    }

    public static void AtLeast(string name, double value, double minimum, string what)
    {
        if (!(value >= minimum)) throw new ArgumentException($"{name} {Format(value)}: expected {what}.");
    }

    public static void InUnitInterval(string name, double value)
    {
        if (!(value is >= 0 and <= 1)) throw new ArgumentException($"{name} {Format(value)}: expected a number in [0, 1].");
    }

    /// <summary>A value as the JSON configuration writes it (NaN, Infinity, -Infinity: System.Text.Json's named literals).</summary>
    private static string Format(object value) => value switch
    {
        double.PositiveInfinity or float.PositiveInfinity => "Infinity",
        double.NegativeInfinity or float.NegativeInfinity => "-Infinity",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
