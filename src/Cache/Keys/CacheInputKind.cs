namespace Ashlar.Cache.Keys;

/// <summary>What a named cache-key input is; it decides how a miss on it is worded.</summary>
public enum CacheInputKind
{
    /// <summary>A source file of COPY/ADD or a bind mount, by its path: content plus effective metadata.</summary>
    File,
    /// <summary>A build arg the step can see.</summary>
    BuildArg,
    /// <summary>An environment variable of the step.</summary>
    Env,
    /// <summary>The step's user.</summary>
    User,
    /// <summary>The step's working directory.</summary>
    WorkDir,
    /// <summary>The shell of a shell-form RUN.</summary>
    Shell,
    /// <summary>The network mode.</summary>
    Network,
    /// <summary>A <c>--mount</c> spec, by its target.</summary>
    Mount,
    /// <summary>The target platform.</summary>
    Platform,
    /// <summary>A secret, by id; its value is an HMAC so the key reveals nothing of the content.</summary>
    Secret,
    /// <summary>The result of another stage or op (<c>COPY --from</c>), by its name.</summary>
    Stage,
}
