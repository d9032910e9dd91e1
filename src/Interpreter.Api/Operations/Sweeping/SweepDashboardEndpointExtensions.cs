using Hangfire;
using Interpreter.Api.Access;

namespace Interpreter.Api.Operations.Sweeping;

/// <summary>The Hangfire dashboard of the storage sweeps, at /hangfire.</summary>
internal static class SweepDashboardEndpointExtensions
{
    /// <summary>The dashboard's path.</summary>
    public const string Path = "/hangfire";

    /// <summary>
    /// Maps the dashboard read-only (no trigger, retry or delete buttons) and only for clients the spawn allowlists
    /// allow: others get the same 403 problem as a refused execution, from <see cref="SpawnGuardMiddleware"/>. Each
    /// succeeded sweep shows what it removed (its result: rows, blobs, temporary files).
    /// </summary>
    public static IEndpointConventionBuilder MapSweepDashboard(this IEndpointRouteBuilder app) =>
        app.MapHangfireDashboard(Path, new DashboardOptions
        {
            IsReadOnlyFunc = _ => true,

            // Access is decided by the endpoint's spawn-access metadata; Hangfire's own default would allow local requests only.
            Authorization = [],
            DashboardTitle = "ComputeSandbox storage sweeps",
            DisplayStorageConnectionString = false,
            AppPath = null,
        }, app.ServiceProvider.GetRequiredService<JobStorage>()).RequireSpawnAccess();
}
