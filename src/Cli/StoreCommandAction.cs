using System.CommandLine;
using System.Text.Json;
using Ashlar.Images.Content;
using Ashlar.Images.References;
using Ashlar.Images.Store;

namespace Ashlar.Cli;

/// <summary>
/// Runs an image command's body and turns the failures a user can act on into one "ashlar: ..." line on stderr and
/// exit code 1, instead of a stack trace.
/// </summary>
internal static class StoreCommandAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await body(parseResult, cancellationToken);
            }
            catch (Exception e) when (IsUserFacing(e))
            {
                Console.Error.WriteLine($"ashlar: {e.Message}");
                return ExitCodes.Failed;
            }
        });

    public static bool IsUserFacing(Exception e) => e is ImageNotFoundException or ImageConflictException or InvalidReferenceException
        or DigestMismatchException or BlobNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException
        or FormatException or JsonException or PlatformNotSupportedException;
}
