using Docker.DotNet;
using Interpreter.Executor.Docker;

namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>What the fixtures ask the engine beyond what the service needs.</summary>
internal static class DockerEngineImages
{
    /// <summary>True when the engine has <paramref name="image"/> locally.</summary>
    public static async Task<bool> ImageExistsAsync(this DockerEngine engine, string image, CancellationToken ct)
    {
        try
        {
            await (await engine.ClientAsync(ct)).Images.InspectImageAsync(image, ct);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }
}
