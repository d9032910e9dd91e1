namespace Interpreter.IntegrationTests.Infrastructure;

/// <summary>How a real API process ended by itself: its exit code and all it wrote to stdout and stderr.</summary>
internal sealed record ApiExit(int ExitCode, string StandardOutput, string StandardError);
