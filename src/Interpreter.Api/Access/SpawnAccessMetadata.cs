namespace Interpreter.Api.Access;

/// <summary>Marks an endpoint that spawns work and so passes the spawn guard.</summary>
internal sealed class SpawnAccessMetadata;
