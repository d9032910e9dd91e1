using Interpreter.Api.Features.Execute.Run;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// One hostile execution: the API's answer, the sandbox it ran in (its hostname, printed first; null when the
/// run's output was lost with the sandbox), the stdout after that first line, the answer's size in bytes, and the
/// ids of the sandboxes that were ready before it ran.
/// </summary>
internal sealed record HostileRun(ExecuteResponse Result, string? ContainerId, string Output, long BodyBytes,
    IReadOnlySet<string> ReadyBefore);
