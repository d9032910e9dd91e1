namespace Interpreter.Storage.Sweeping;

/// <summary>
/// One sweep as the Hangfire dashboard shows it (the job's result): which process ran it, when it ran (inside the
/// job's lock), and what it removed.
/// </summary>
public sealed record SweepRun(string Process, DateTimeOffset Started, DateTimeOffset Finished, int Rows, int Blobs, int TemporaryFiles);
