using System.Text.Json.Serialization;
using Ashlar.Parser.Syntax;

namespace Ashlar.Parser.Json;

// Source-generated (reflection-free) metadata so the typed AST serializes under NativeAOT.
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dockerfile))]
[JsonSerializable(typeof(SyntaxTree))]
internal sealed partial class DockerfileJsonContext : JsonSerializerContext;
