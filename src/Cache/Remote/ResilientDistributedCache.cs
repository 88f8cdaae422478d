using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Cache.Remote;

/// <summary>
/// A shared cache index that can never fail or stall a build: every call to the backend is bounded by a short
/// timeout; the first failure logs one warning and turns the index into an empty, write-ignoring cache until a
/// later call probes the backend again. A cache is an optimisation, so building without it is always correct.
/// </summary>
public sealed class ResilientDistributedCache : IDistributedCache, IDisposable
{
    /// <summary>How long one call may take before the backend counts as down.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long a down backend is left alone before it is tried again.</summary>
    public static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(30);

    private readonly IDistributedCache _backend;
    private readonly string _name;
    private readonly Action<string> _warn;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _retryAfter;
    private readonly TimeProvider _time;
    private long _downUntil; // UTC ticks; 0 while the backend is up
    private int _warned;

    /// <summary>Wraps <paramref name="backend"/>, shown as <paramref name="name"/> in the warning.</summary>
    /// <param name="backend">The real index, e.g. a Redis cache.</param>
    /// <param name="name">How the warning names it, e.g. <c>redis://127.0.0.1:6379/0</c>.</param>
    /// <param name="warn">Told once per outage, e.g. the build's warning output.</param>
    /// <param name="timeout">The bound of every call (<see cref="DefaultTimeout"/>).</param>
    /// <param name="retryAfter">How long to build without the backend before trying it again (<see cref="DefaultRetryAfter"/>).</param>
    /// <param name="time">The clock (tests).</param>
    public ResilientDistributedCache(IDistributedCache backend, string name, Action<string> warn,
        TimeSpan? timeout = null, TimeSpan? retryAfter = null, TimeProvider? time = null)
    {
        _backend = backend;
        _name = name;
        _warn = warn;
        _timeout = timeout ?? DefaultTimeout;
        _retryAfter = retryAfter ?? DefaultRetryAfter;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Whether the last call failed and the backend is being left alone for now.</summary>
    public bool IsDown => Interlocked.Read(ref _downUntil) > _time.GetUtcNow().UtcTicks;

    /// <inheritdoc />
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        CallAsync(t => _backend.GetAsync(key, t), null, token);

    /// <inheritdoc />
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        CallAsync(async t => { await _backend.SetAsync(key, value, options, t); return true; }, false, token);

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) =>
        CallAsync(async t => { await _backend.RefreshAsync(key, t); return true; }, false, token);

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default) =>
        CallAsync(async t => { await _backend.RemoveAsync(key, t); return true; }, false, token);

    /// <inheritdoc />
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc />
    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, T whenDown, CancellationToken cancellationToken)
    {
        if (IsDown) return whenDown;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_timeout);
        Task<T> task;
        try
        {
            task = call(bounded.Token);
        }
        catch (Exception e)
        {
            MarkDown(e);
            return whenDown;
        }
        try
        {
            // WaitAsync bounds even a client that ignores its token (a connect in progress).
            var result = await task.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _downUntil, 0) != 0)
                Interlocked.Exchange(ref _warned, 0); // back up: the next outage gets its own warning
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // The abandoned call may still fail later; observe it so it is not reported as unobserved.
            _ = task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            MarkDown(e);
            return whenDown;
        }
    }

    private void MarkDown(Exception e)
    {
        Interlocked.Exchange(ref _downUntil, (_time.GetUtcNow() + _retryAfter).UtcTicks);
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            var why = e is TimeoutException or OperationCanceledException ? $"no answer within {_timeout.TotalSeconds:0.#}s" : FirstLine(e.Message);
            _warn($"cache index {_name} is unavailable ({why}); building without it, trying again in {_retryAfter.TotalSeconds:0}s");
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <inheritdoc />
    public void Dispose() => (_backend as IDisposable)?.Dispose();
}
