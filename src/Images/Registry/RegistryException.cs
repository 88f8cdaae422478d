using System.Net;

namespace Ashlar.Images.Registry;

/// <summary>
/// A registry refused or failed a request. <see cref="Exception.Message"/> is written for the user and says what
/// to do next; <see cref="Code"/> is the distribution-spec error code when the registry sent one
/// (<see href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes">error codes</see>).
/// </summary>
public sealed class RegistryException : Exception
{
    internal RegistryException(string message, string? code = null, HttpStatusCode? statusCode = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        StatusCode = statusCode;
    }

    /// <summary>The error code, e.g. <c>UNAUTHORIZED</c>, <c>MANIFEST_UNKNOWN</c>, <c>BLOB_UNKNOWN</c>, or null.</summary>
    public string? Code { get; }

    /// <summary>The HTTP status of the failed response, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }
}
