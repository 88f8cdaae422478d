namespace Ashlar.Builder.Planning;

/// <summary>What a stage starts from.</summary>
internal enum StageBaseKind
{
    Scratch,
    Image,
    Stage,
}
