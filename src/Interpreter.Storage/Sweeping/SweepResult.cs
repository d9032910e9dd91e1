namespace Interpreter.Storage.Sweeping;

/// <summary>What one sweep removed.</summary>
public sealed record SweepResult(int Rows, int Blobs, int TemporaryFiles);
