namespace Interpreter.Api.Access;

/// <summary>Endpoint conventions of access control.</summary>
internal static class AccessEndpointExtensions
{
    /// <summary>Only clients the spawn policy allows may call this endpoint (403 otherwise).</summary>
    public static TBuilder RequireSpawnAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SpawnAccessMetadata())
            .WithDescription("Spawns work: allowed only from APP_INTERNAL_IP_ALLOWLIST / APP_INTERNAL_HOST_ALLOWLIST unless APP_PUBLIC_SPAWN_ENABLED=true (else 403).");
}
