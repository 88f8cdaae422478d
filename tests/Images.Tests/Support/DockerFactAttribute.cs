namespace Ashlar.Images.Tests.Support;

/// <summary>A fact that needs Debian's dockerd; skipped (saying so) only when it is not installed.</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (!File.Exists(DockerDaemon.DockerdPath) || !File.Exists(DockerDaemon.ClientPath))
            Skip = $"dockerd is unavailable ({DockerDaemon.DockerdPath} or {DockerDaemon.ClientPath} missing): 'apt-get install -y docker.io' to run the docker load check";
    }
}
