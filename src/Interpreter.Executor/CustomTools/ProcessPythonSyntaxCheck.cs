using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Interpreter.Executor.CustomTools;

/// <summary>
/// Runs <c>ast.parse</c> of the host's <c>python3</c> (the API image has the executor image's Python) in a short-lived
/// process: isolated mode, no site packages, its memory and CPU time capped, killed after a few seconds. ast.parse
/// compiles to a syntax tree only; nothing of the source is executed, as in the reference, which parses with it too.
/// </summary>
public sealed partial class ProcessPythonSyntaxCheck(ILogger<ProcessPythonSyntaxCheck> logger) : IPythonSyntaxCheck
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    // Limits first, then read; a source too deep for the parser is a RecursionError/MemoryError, answered as such.
    private const string Script = """
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        resource.setrlimit(resource.RLIMIT_CPU, (5, 5))
        import ast, json, textwrap
        source = sys.stdin.buffer.read().decode("utf-8", "surrogatepass")
        try:
            ast.parse(textwrap.dedent(source))
            answer = {}
        except SyntaxError as e:
            answer = {"message": e.msg, "line": e.lineno or 1}
        except (ValueError, MemoryError, RecursionError) as e:
            answer = {"message": str(e) or type(e).__name__, "line": 1}
        sys.stdout.write(json.dumps(answer))
        """;

    private volatile bool _unavailable;

    /// <inheritdoc />
    public (string Message, int Line)? Check(string source)
    {
        if (_unavailable)
        {
            return null;
        }

        var info = new ProcessStartInfo("python3", ["-I", "-S", "-c", Script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception("python3 did not start");
        }
        catch (Win32Exception e)
        {
            _unavailable = true;
            LogUnavailable(e);
            return null;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            try
            {
                process.StandardInput.Write(source);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The checker died early (a limit): its exit says the rest.
            }

            if (!process.WaitForExit(Deadline))
            {
                process.Kill();
                process.WaitForExit();
                return ("the source is too complex to parse in time", 1);
            }

            try
            {
                using var answer = JsonDocument.Parse(output.GetAwaiter().GetResult());
                return answer.RootElement.TryGetProperty("message", out var message)
                    ? (message.GetString() ?? "invalid syntax", answer.RootElement.GetProperty("line").GetInt32())
                    : null;
            }
            catch (JsonException)
            {
                LogFailed(process.ExitCode, errors.GetAwaiter().GetResult().Length);
                return ("the source could not be parsed (it exceeds the parser's limits)", 1);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No python3 to check tool sources with Python's own parser; only the service's own parser checks them")]
    private partial void LogUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Python syntax check exited with {ExitCode} and {ErrorLength} characters on stderr")]
    private partial void LogFailed(int exitCode, int errorLength);
}
