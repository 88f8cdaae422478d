using System.Text.Json.Serialization;

namespace Ashlar.Images.Registry;

/// <summary>
/// A token server's answer; servers differ in which of the two token fields they fill. <c>issued_at</c> is not
/// read: the lifetime counts from when the answer arrived, which is never later than the server's clock says.
/// </summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] int? ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken);

/// <summary>The distribution-spec error body: <c>{"errors":[{"code":..,"message":..}]}</c>.</summary>
internal sealed record ErrorResponse([property: JsonPropertyName("errors")] List<ErrorEntry>? Errors);

internal sealed record ErrorEntry(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message);

[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
