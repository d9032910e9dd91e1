namespace Interpreter.Api.Connections;

/// <summary>The number of file descriptors this process may open, where the platform tells.</summary>
internal interface IOpenFileLimit
{
    /// <summary>The soft RLIMIT_NOFILE, or null when it is unknown or unlimited.</summary>
    long? Current();
}
