using System.Net;
using System.Net.Sockets;

namespace Ashlar.Images.Registry;

/// <summary>
/// Which failures are worth another try (5xx, 429, connection resets and refusals) and how long to wait:
/// exponential backoff with jitter, a bounded number of times.
/// </summary>
internal sealed record RetryPolicy(int MaxRetries, TimeSpan BaseDelay)
{
    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(8);

    public static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status == HttpStatusCode.TooManyRequests || status == HttpStatusCode.RequestTimeout;

    /// <summary>A dropped or refused connection, not a cancellation the caller asked for.</summary>
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && exception switch
        {
            HttpRequestException { StatusCode: null } => true,
            HttpRequestException { StatusCode: { } status } => IsTransient(status),
            IOException => true,
            SocketException => true,
            // HttpClient reports its own per-request timeout as a cancellation the caller did not ask for.
            TaskCanceledException { InnerException: TimeoutException } => true,
            _ => false,
        };

    /// <summary>
    /// Whether a whole operation (a blob upload, which is restarted rather than resumed) is worth another try: a
    /// transient exception, or a <see cref="RegistryException"/> that came from a 5xx or a connection that failed.
    /// </summary>
    public static bool IsTransientFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is RegistryException registry
            ? registry.StatusCode is { } status ? IsTransient(status) : registry.InnerException is { } inner && IsTransient(inner, cancellationToken)
            : IsTransient(exception, cancellationToken);

    public Task DelayAsync(int attempt, CancellationToken cancellationToken)
    {
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var jittered = Math.Min(exponential, MaxDelay.TotalMilliseconds) * (0.5 + Random.Shared.NextDouble() / 2);
        return Task.Delay(TimeSpan.FromMilliseconds(jittered), cancellationToken);
    }
}
