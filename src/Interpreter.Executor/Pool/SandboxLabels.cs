namespace Interpreter.Executor.Pool;

/// <summary>Labels every sandbox carries, so a later run can find what an earlier one left behind.</summary>
public static class SandboxLabels
{
    /// <summary>Marks a sandbox as made by this service.</summary>
    public const string Managed = "io.computesandbox.managed";

    /// <summary>The service instance (APP_INSTANCE_NAME) that owns the sandbox.</summary>
    public const string Instance = "io.computesandbox.instance";

    /// <summary>The process run (a fresh id per start) that created the sandbox.</summary>
    public const string Run = "io.computesandbox.run";

    /// <summary>What the sandbox is for.</summary>
    public const string Role = "io.computesandbox.role";

    /// <summary>The value of <see cref="Role"/> for code executors.</summary>
    public const string ExecutorRole = "executor";
}
