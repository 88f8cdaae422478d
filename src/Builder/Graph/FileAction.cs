using System.Text.Json;

namespace Ashlar.Builder.Graph;

/// <summary>One action of a <see cref="FileOp"/>.</summary>
internal abstract record FileAction
{
    public abstract Op? Source { get; }
    public abstract void Write(Utf8JsonWriter writer);
}
