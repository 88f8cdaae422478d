namespace Ashlar.Parser.Instructions;

/// <summary>The security mode of a RUN step (<c>--security</c>).</summary>
public enum SecurityMode
{
    /// <summary>The default confinement.</summary>
    Sandbox,
    /// <summary>Full privileges (needs the builder to allow it).</summary>
    Insecure,
}
