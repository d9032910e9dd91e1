[assembly: AssemblyFixture(typeof(Interpreter.Storage.Tests.Infrastructure.TestPostgresCleanup))]

namespace Interpreter.Storage.Tests.Infrastructure;

/// <summary>An assembly fixture whose only job is to remove the PostgreSQL container after the last test.</summary>
public sealed class TestPostgresCleanup : IAsyncDisposable
{
    public ValueTask DisposeAsync() => new(TestPostgres.StopAsync());
}
