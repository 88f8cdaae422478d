namespace Ashlar.Cli;

/// <summary>The process exit codes, as docker build uses them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
}
