using Interpreter.Storage;
using Interpreter.Storage.Metadata;
using Interpreter.Storage.Metadata.LiteDb;
using Microsoft.Extensions.Logging;

// Commands (one line "ready" or "ok <n>" on stdout per step, so the test knows where the process is):
//   hold <database>                 owns the LiteDB database until stdin closes
//   open <database> <wait seconds>  opens it as a starting API does; exit 3 with the message when someone else owns it
//   migrate <storage folder>        first start on a folder of an earlier release (SQLite -> LiteDB)
//   register <database>             registers files one after another, acknowledging each, until killed
using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
var logger = logging.CreateLogger("host");
var ct = CancellationToken.None;
switch (args)
{
    case ["hold", var database]:
    {
        await using var store = new LiteDbFileMetadataStore(database, TimeProvider.System, TimeSpan.Zero);
        await store.InitializeAsync(ct);
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync(ct);
        return 0;
    }

    case ["open", var database, var wait]:
    {
        await using var store = new LiteDbFileMetadataStore(database, TimeProvider.System, TimeSpan.FromSeconds(double.Parse(wait, System.Globalization.CultureInfo.InvariantCulture)));
        try
        {
            await store.InitializeAsync(ct);
        }
        catch (MetadataOwnedElsewhereException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 3;
        }

        Console.WriteLine("ready");
        return 0;
    }

    case ["migrate", var folder]:
    {
        var layout = new StorageLayout(folder);
        await using var store = new LiteDbFileMetadataStore(layout.DefaultMetadataDatabase, TimeProvider.System, TimeSpan.FromSeconds(30),
            layout.LegacySqliteDatabase, logging.CreateLogger<LiteDbFileMetadataStore>());
        await store.InitializeAsync(ct);
        Console.WriteLine("ready");
        return 0;
    }

    case ["register", var database]:
    {
        await using var store = new LiteDbFileMetadataStore(database, TimeProvider.System, TimeSpan.Zero);
        await store.InitializeAsync(ct);
        for (var i = 0; ; i++)
        {
            var hash = i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);
            await store.RegisterAsync(new FileRecord("chat", hash, $"f{i}", i, "text/plain", 1, null, DateTimeOffset.UtcNow), ct);
            Console.WriteLine($"ok {i}");
        }
    }

    default:
        logger.LogError("unknown command {Command}", string.Join(' ', args));
        return 2;
}
