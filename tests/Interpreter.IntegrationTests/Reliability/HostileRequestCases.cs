using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Interpreter.IntegrationTests.Reliability;

/// <summary>
/// The hostile requests, generated over endpoints, fields and kinds of damage: malformed JSON, wrong types, huge
/// strings, deep nesting, invalid UTF-8, path traversal, unknown and other chats' hashes, bad numbers, heads
/// without bodies, wrong content types, broken multipart, chunked framing, wrong methods and routes. Every case
/// must be answered with a 4xx that carries a message. Names are stable (they are the theory's data); the bodies
/// are rebuilt in each process, with this process's <see cref="Canary"/> in every path a traversal aims at.
/// </summary>
internal static class HostileRequestCases
{
    public const string ChatA = "hr-chat-a";
    public const string ChatB = "hr-chat-b";
    public const string FileAName = "a-file.txt";

    private const string Boundary = "hostile-boundary-7f3a";
    private const int DeepLevels = 10_000;
    private const int BigButAllowed = 500_000;
    private const int OverRequestLimit = 11 * 1024 * 1024;

    private const string Tool = "def double(x: int) -> int:\n    \"\"\"Doubles x.\"\"\"\n    return 2 * x\n";

    private static readonly Lazy<IReadOnlyDictionary<string, HostileRequestCase>> Cases = new(Generate);

    /// <summary>The file chat A uploads before the cases run; chat B must never reach it.</summary>
    public static byte[] FileA { get; } = "hostile-requests: the file of chat A\n"u8.ToArray();

    public static string HashA { get; } = Sha256(FileA);

    /// <summary>A hash no one stored.</summary>
    public static string UnknownHash { get; } = Sha256("hostile-requests: never stored"u8.ToArray());

    /// <summary>Part of every file name a path-traversal case aims at, so a file written anywhere can be found.</summary>
    public static string Canary { get; } = "hostile-canary-" + Guid.NewGuid().ToString("N")[..12];

    public static IReadOnlyDictionary<string, HostileRequestCase> All => Cases.Value;

    private static IReadOnlyDictionary<string, HostileRequestCase> Generate()
    {
        var cases = new Dictionary<string, HostileRequestCase>(StringComparer.Ordinal);
        foreach (var c in JsonEndpoints().SelectMany(MalformedJson)
                     .Concat(JsonEndpoints().SelectMany(WrongTypes))
                     .Concat(Numbers())
                     .Concat(JsonEndpoints().SelectMany(DeepNesting))
                     .Concat(JsonEndpoints().SelectMany(InvalidUtf8))
                     .Concat(HugeStrings())
                     .Concat(PathTraversal())
                     .Concat(Hashes())
                     .Concat(HeadersWithoutBody())
                     .Concat(ContentTypes())
                     .Concat(BrokenMultipart())
                     .Concat(ChunkedFraming())
                     .Concat(OddHeaders())
                     .Concat(MethodsAndRoutes()))
        {
            cases.Add(c.Name, c);
        }

        return cases;
    }

    // ----- The JSON endpoints: a base body each, its fields and their kinds -----

    private static IEnumerable<JsonEndpoint> JsonEndpoints() =>
    [
        new("execute", "/v1/execute",
            [("source_code", Str("print(1)")), ("chat_id", Str(ChatB))],
            [("source_code", 'S', true), ("chat_id", 'S', true), ("files", 'D', false), ("env", 'D', false),
             ("persistent_workspace", 'B', false), ("max_downloads", 'N', false), ("expires_days", 'N', false),
             ("expires_seconds", 'N', false), ("timeout_seconds", 'N', false)],
            Missing: ("source_code", [("chat_id", Str(ChatB))]),
            Utf8Fields: ["source_code", "chat_id"]),
        new("download", "/v1/download",
            [("chat_id", Str(ChatB)), ("file_hash", Str(UnknownHash)), ("filename", Str("a.txt"))],
            [("chat_id", 'S', true), ("file_hash", 'S', true), ("filename", 'S', true)],
            Missing: ("file_hash", [("chat_id", Str(ChatB)), ("filename", Str("a.txt"))]),
            Utf8Fields: ["filename", "chat_id"]),
        new("expire", "/v1/expire",
            [("chat_id", Str(ChatB)), ("file_hash", Str(UnknownHash)), ("filename", Str("a.txt"))],
            [("chat_id", 'S', true), ("file_hash", 'S', true), ("filename", 'S', true)],
            Missing: ("filename", [("chat_id", Str(ChatB)), ("file_hash", Str(UnknownHash))]),
            Utf8Fields: ["filename", "file_hash"]),
        new("parse-custom-tool", "/v1/parse-custom-tool",
            [("tool_source_code", Str(Tool))],
            [("tool_source_code", 'S', true), ("chat_id", 'S', false)],
            Missing: ("tool_source_code", [("chat_id", Str(ChatB))]),
            Utf8Fields: ["tool_source_code", "chat_id"]),
        new("execute-custom-tool", "/v1/execute-custom-tool",
            [("tool_source_code", Str(Tool)), ("tool_input_json", Str("{}"))],
            [("tool_source_code", 'S', true), ("tool_input_json", 'S', false), ("env", 'D', false), ("chat_id", 'S', false)],
            Missing: ("tool_source_code", [("tool_input_json", Str("{\"x\": 1}"))]),
            Utf8Fields: ["tool_input_json", "tool_source_code"]),
    ];

    private static IEnumerable<HostileRequestCase> MalformedJson(JsonEndpoint e)
    {
        var body = e.Body();
        var missing = Obj(e.Missing.Fields);
        yield return e.Case("malformed json: truncated", body[..(body.Length / 2)], 400, "JSON");
        yield return e.Case("malformed json: trailing garbage", body + " garbage", 400, "JSON");
        yield return e.Case("malformed json: two objects", body + body, 400, "JSON");
        yield return e.Case("malformed json: trailing comma", body[..^1] + ",}", 400, "JSON");
        yield return e.Case("malformed json: single quotes", body.Replace('"', '\''), 400, "JSON");
        yield return e.Case("malformed json: comment", "/* hostile */ " + body, 400, "JSON");
        yield return e.Case("malformed json: unquoted key", "{" + e.Fields[0].Name + ": 1}", 400, "JSON");
        yield return e.Case("malformed json: NaN literal", Obj([.. e.Base, ("chat_id", "NaN")]), 400, "JSON");
        yield return e.Case("malformed json: bare number", "42", 400, "JSON object");
        yield return e.Case("malformed json: bare string", "\"print(1)\"", 400, "JSON object");
        yield return e.Case("malformed json: bare true", "true", 400, "JSON object");
        yield return e.Case("malformed json: bare null", "null", 400, "JSON object");
        yield return e.Case("malformed json: array", "[" + body + "]", 400, "JSON object");
        yield return e.Case("malformed json: empty body", "", 400, "empty");
        yield return e.Case("malformed json: whitespace only", " \r\n\t ", 400, "JSON");
        yield return e.Case("malformed json: form encoding", "source_code=print(1)&chat_id=x", 400, "JSON");
        yield return e.Case("malformed json: BOM then missing field", [.. "\uFEFF"u8.ToArray(), .. Utf8(missing)], 400, e.Missing.Field);
        yield return e.Case("malformed json: two BOMs", [.. "\uFEFF\uFEFF"u8.ToArray(), .. Utf8(body)], 400, "JSON");
        yield return e.Case("malformed json: UTF-16 with BOM", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(missing)], 400, "JSON");
    }

    private static IEnumerable<HostileRequestCase> WrongTypes(JsonEndpoint e)
    {
        foreach (var (field, kind, required) in e.Fields)
        {
            var values = kind switch
            {
                'S' => [("number", "42"), ("boolean", "true"), ("array", "[\"a\"]"), ("object", "{\"a\": \"b\"}")],
                'N' => [("text", "\"many\""), ("boolean", "false"), ("array", "[1]"), ("object", "{}")],
                'B' => [("text", "\"yes\""), ("number", "1"), ("array", "[]"), ("object", "{}")],
                'D' => new (string, string)[] { ("text", "\"x\""), ("array", "[\"a\"]"), ("number", "7"), ("boolean", "true") },
                _ => throw new InvalidOperationException(kind.ToString()),
            };
            foreach (var (label, raw) in values)
            {
                yield return e.Case($"wrong type: {field} as {label}", e.With(field, raw), 400, $"'{field}' must be");
            }

            if (required)
            {
                yield return e.Case($"wrong type: {field} null", e.With(field, "null"), 400, field);
            }

            if (kind == 'D')
            {
                var key = field == "files" ? "/workspace/a.txt" : "A";
                yield return e.Case($"wrong type: {field} value as number", e.With(field, $"{{{Str(key)}: 5}}"), 400, field);
                yield return e.Case($"wrong type: {field} value as object", e.With(field, $"{{{Str(key)}: {{}}}}"), 400, field);
                yield return e.Case($"wrong type: {field} value null", e.With(field, $"{{{Str(key)}: null}}"), 400, field);
            }
        }
    }

    private static IEnumerable<HostileRequestCase> Numbers()
    {
        var execute = JsonEndpoints().First(e => e.Short == "execute");
        (string Label, string Raw, bool ValidLong)[] values =
        [
            ("-1", "-1", true), ("2^63", "9223372036854775808", false), ("-2^63-1", "-9223372036854775809", false),
            ("2^63-1", "9223372036854775807", true), ("2^31", "2147483648", true), ("1e400", "1e400", false),
            ("1.5", "1.5", false), ("-1 as a string", "\"-1\"", true), ("1e400 as a string", "\"1e400\"", false),
            ("leading zero", "007", false), ("hex", "0x10", false),
        ];
        foreach (var field in new[] { "max_downloads", "expires_days", "expires_seconds", "timeout_seconds" })
        {
            foreach (var (label, raw, validLong) in values)
            {
                // A long the rules allow is no hostile input: max_downloads has no upper bound, 2^31 seconds are 68 years.
                if ((field == "max_downloads" && validLong && label is "2^63-1" or "2^31") || (field == "expires_seconds" && label == "2^31"))
                {
                    continue;
                }

                // A malformed literal is a JSON syntax error, which names no field.
                var mention = label is "leading zero" or "hex" ? "JSON" : field;
                yield return execute.Case($"number: {field} = {label}", execute.With(field, raw), 400, mention);
            }
        }

        foreach (var field in new[] { "max_downloads", "expires_days", "expires_seconds" })
        {
            foreach (var value in new[] { "-1", "9223372036854775808", "1e400", "1.5", "abc", "0x10", "\u0663" })
            {
                yield return Upload($"number: upload {field} = {value}",
                    Form(Field("chat_id", ChatB), Field(field, value), FilePart("a.txt", "hello"u8.ToArray())), 400, field);
            }
        }

        yield return Upload("number: upload expires_days = 36501",
            Form(Field("chat_id", ChatB), Field("expires_days", "36501"), FilePart("a.txt", "hello"u8.ToArray())), 400, "expires_days");
    }

    private static IEnumerable<HostileRequestCase> DeepNesting(JsonEndpoint e)
    {
        var arrays = new string('[', DeepLevels) + new string(']', DeepLevels);
        // Binding sees the wrong type at the first '[' before it could go deep; an unknown field is skipped, to the depth limit.
        yield return e.Case("deep json: 10000 nested arrays as the body", arrays, 400, "JSON object");
        yield return e.Case("deep json: 10000 nested arrays in a field", e.With(e.Fields[0].Name, arrays), 400, e.Fields[0].Name);
        var objects = string.Concat(Enumerable.Repeat("{\"a\":", DeepLevels)) + "1" + new string('}', DeepLevels);
        yield return e.Case("deep json: 10000 nested objects as the body", objects, 400, "depth");
        yield return e.Case("deep json: 10000 nested arrays in an unknown field", Obj([.. e.Base, ("hostile", arrays)]), 400, "depth");
        if (e.Short == "execute-custom-tool")
        {
            yield return e.Case("deep json: 10000 nested arrays inside tool_input_json",
                e.With("tool_input_json", Str("{\"x\": " + arrays + "}")), 400, "x");
        }

        if (e.Short is "parse-custom-tool" or "execute-custom-tool")
        {
            var deepDefault = "def f(x: int = " + new string('(', DeepLevels) + "1" + new string(')', DeepLevels) + ") -> int:\n    return x\n";
            yield return e.Case("deep python: 10000 nested parentheses in a default", e.With("tool_source_code", Str(deepDefault)), 400, "nested");
            var deepType = "def f(x: " + string.Concat(Enumerable.Repeat("list[", DeepLevels)) + "int" + new string(']', DeepLevels)
                + ") -> int:\n    return 1\n";
            yield return e.Case("deep python: 10000 nested list[] annotations", e.With("tool_source_code", Str(deepType)), 400, "nested");
        }
    }

    private static IEnumerable<HostileRequestCase> InvalidUtf8(JsonEndpoint e)
    {
        (string Label, byte[] Bytes)[] damages =
        [
            ("0xFF byte", [0xFF]), ("overlong slash", [0xC0, 0xAF]), ("lone continuation byte", [0x80]),
            ("truncated 3-byte sequence", [0xE2, 0x82]), ("UTF-8 encoded surrogate", [0xED, 0xA0, 0x80]),
            ("5-byte sequence", [0xF8, 0x88, 0x80, 0x80, 0x80]),
        ];
        foreach (var field in e.Utf8Fields)
        {
            foreach (var (label, bytes) in damages)
            {
                yield return e.Case($"invalid utf-8: {label} in {field}", e.WithBytes(field, bytes), 400, $"'{field}' is not valid text");
            }

            yield return e.Case($"invalid utf-8: lone surrogate escape in {field}", e.With(field, "\"a\\ud800b\""), 400, $"'{field}' is not valid text");
        }

        // A damaged name is no field the endpoint knows (unknown names are skipped, as the reference does): the field is missing.
        var damagedName = Obj([(e.Missing.Field + "~", Str("x")), .. e.Missing.Fields]);
        var at = Encoding.UTF8.GetBytes(damagedName).AsSpan().IndexOf((byte)'~');
        yield return e.Case("invalid utf-8: 0xFF in a field name", damagedName, 400, e.Missing.Field, mutate: bytes => [.. bytes[..at], 0xFF, .. bytes[(at + 1)..]]);
    }

    // ----- Huge strings -----

    private static IEnumerable<HostileRequestCase> HugeStrings()
    {
        var big = new string('a', BigButAllowed);
        foreach (var e in JsonEndpoints())
        {
            var over = "{\"chat_id\": \"" + new string('x', OverRequestLimit) + "\"}";
            yield return new HostileRequestCase($"{e.Short}: huge: body over APP_MAX_REQUEST_BYTES (Expect: 100-continue)", "POST", e.Path,
                [new("Content-Type", "application/json")], Utf8(over), BodyDelivery.ExpectContinue, [413], "APP_MAX_REQUEST_BYTES");
            foreach (var (field, kind, _) in e.Fields.Where(f => f.Kind == 'S' && f.Name is "chat_id" or "file_hash" or "filename"))
            {
                yield return e.Case($"huge: {field} of 500 KB", e.With(field, Str(big)), 400, field);
            }
        }

        foreach (var path in new[] { "/v1/execute", "/v1/parse-custom-tool", "/v1/upload" })
        {
            var contentType = path == "/v1/upload" ? "multipart/form-data; boundary=" + Boundary : "application/json";
            var payload = path == "/v1/upload"
                ? Form(Field("chat_id", ChatB), FilePart("big.bin", new byte[OverRequestLimit]))
                : Utf8("{\"chat_id\": \"" + new string('x', OverRequestLimit) + "\"}");
            var expected = path == "/v1/upload" ? "APP_FILE_SIZE_LIMIT" : "APP_MAX_REQUEST_BYTES";
            yield return new HostileRequestCase($"{path[4..]}: huge: chunked body over the limit", "POST", path,
                [new("Content-Type", contentType), new("Transfer-Encoding", "chunked")], Chunked(payload, 256 * 1024),
                BodyDelivery.Complete, [413], expected);
        }

        var execute = JsonEndpoints().First(e => e.Short == "execute");
        yield return execute.Case("huge: files path of 500 KB", execute.With("files", $"{{{Str("/workspace/" + big)}: {Str(UnknownHash)}}}"), 400, "files");
        yield return execute.Case("huge: files hash of 500 KB", execute.With("files", $"{{\"/workspace/a.txt\": {Str(big)}}}"), 400, "files");
        // (Big env names and values are no hostile input: the sandbox takes a 500 KB variable and 20000 of them.)
        yield return execute.Case("huge: 20000 files entries", execute.With("files",
            "{" + string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"\"/workspace/f{i}\": \"{UnknownHash}\"")) + "}"), 404, UnknownHash);

        var tool = JsonEndpoints().First(e => e.Short == "execute-custom-tool");
        yield return tool.Case("huge: tool_input_json of 500 KB", tool.With("tool_input_json", Str("{\"x\": \"" + big + "\"}")), 400, "x");
        var parse = JsonEndpoints().First(e => e.Short == "parse-custom-tool");
        yield return parse.Case("huge: tool_source_code of 500 KB garbage", parse.With("tool_source_code", Str(big + "(")), 400, "Syntax error");

        yield return Upload("huge: upload chat_id of 2000 bytes",
            Form(Field("chat_id", new string('c', 2000)), FilePart("a.txt", "hello"u8.ToArray())), 400, "chat_id");
        yield return Upload("huge: upload filename of 300 characters",
            Form(Field("chat_id", ChatB), FilePart(new string('f', 300), "hello"u8.ToArray())), 400, "filename");
        yield return Upload("huge: upload filename of 20 KB (part header too long)",
            Form(Field("chat_id", ChatB), FilePart(new string('f', 20_000), "hello"u8.ToArray())), 400, "multipart");
        yield return Upload("huge: upload file over APP_FILE_SIZE_LIMIT",
            Form(Field("chat_id", ChatB), FilePart("big.bin", new byte[(2 << 20) - 4096])), 413, "APP_FILE_SIZE_LIMIT");
        yield return new HostileRequestCase("upload: huge: declared length over the limit (Expect: 100-continue)", "POST", "/v1/upload",
            [new("Content-Type", "multipart/form-data; boundary=" + Boundary)],
            Form(Field("chat_id", ChatB), FilePart("big.bin", new byte[3 << 20])), BodyDelivery.ExpectContinue, [413], "APP_FILE_SIZE_LIMIT");
    }

    // ----- Path traversal -----

    private static IEnumerable<HostileRequestCase> PathTraversal()
    {
        var execute = JsonEndpoints().First(e => e.Short == "execute");
        string[] badPaths =
        [
            $"/workspace/../etc/{Canary}", $"../../{Canary}", $"/etc/{Canary}", $"/tmp/{Canary}", $"/workspace/sub/../../{Canary}",
            $"/workspace/./{Canary}", $"/workspace//{Canary}", "/workspace/", "/workspace", $"workspace/{Canary}",
            $"/workspace/{Canary}/", $"/workspacex/{Canary}", $"\\workspace\\..\\{Canary}", $"/workspace/..", $"/workspace/{Canary}/..",
            "/workspace/" + new string('p', 5000), $"/workspace/a\0/../../{Canary}", $"/workspace/{Canary}\0.txt", $" /workspace/{Canary}",
        ];
        foreach (var path in badPaths)
        {
            var label = path.Length > 60 ? path[..30] + $"...({path.Length} chars)" : path.Replace(Canary, "X").Replace("\0", "\\0");
            yield return execute.Case($"path traversal: files key {label}",
                execute.With("files", $"{{{Str(path)}: {Str(UnknownHash)}}}"), 400, "files path");
        }

        // Odd but legal names inside /workspace reach the hash check, which finds nothing.
        foreach (var path in new[] { $"/workspace/%2e%2e/{Canary}", $"/workspace/..\u2215{Canary}", $"/workspace/...{Canary}" })
        {
            yield return execute.Case($"path traversal: files key {path.Replace(Canary, "X")} (legal name)",
                execute.With("files", $"{{{Str(path)}: {Str(UnknownHash)}}}"), 404, UnknownHash);
        }

        string[] badUploadNames =
        [
            $"../../{Canary}", $"..\\..\\{Canary}", $"/etc/{Canary}", "..", ".", $"sub/{Canary}", $"{Canary}\0.txt", "",
            $"%2e%2e%2f{Canary}", $" {Canary}", $"{Canary}\u00e9.txt", $"{Canary}.txt\r\nX-Injected: 1",
        ];
        foreach (var name in badUploadNames)
        {
            var label = Printable(name);
            yield return Upload($"path traversal: upload filename \"{label}\"",
                Form(Field("chat_id", ChatB), FilePart(name, "hello"u8.ToArray())), 400, name.Contains('\n') ? "upload" : "filename");
        }

        yield return Upload("path traversal: upload filename* ..%2F..%2FX",
            Form(Field("chat_id", ChatB), RawPart($"form-data; name=\"upload\"; filename=\"a.txt\"; filename*=UTF-8''..%2F..%2F{Canary}",
                "hello"u8.ToArray())), 400, "filename");
        yield return Upload("path traversal: upload filename* absolute",
            Form(Field("chat_id", ChatB), RawPart($"form-data; name=\"upload\"; filename*=UTF-8''%2Fetc%2F{Canary}", "hello"u8.ToArray())),
            400, "filename");

        foreach (var e in JsonEndpoints().Where(e => e.Short is "download" or "expire"))
        {
            foreach (var name in new[] { $"../../{Canary}", "/etc/passwd", "..", ".", $"sub/{Canary}", $"{Canary}\0", "", $"/workspace/{Canary}" })
            {
                yield return e.Case($"path traversal: filename \"{Printable(name)}\"", e.With("filename", Str(name)), 400, "filename");
            }

            yield return e.Case("path traversal: filename with backslashes (a legal name, unknown file)",
                e.With("filename", Str($"..\\..\\{Canary}")), 404, "File not found");
        }
    }

    // ----- Unknown hashes and other chats' hashes -----

    private static IEnumerable<HostileRequestCase> Hashes()
    {
        var execute = JsonEndpoints().First(e => e.Short == "execute");
        var download = JsonEndpoints().First(e => e.Short == "download");
        var expire = JsonEndpoints().First(e => e.Short == "expire");

        yield return execute.Case("hash: unknown in files", execute.With("files", $"{{\"/workspace/a.txt\": {Str(UnknownHash)}}}"), 404, UnknownHash);
        yield return execute.Case("hash: unknown in files, persistent workspace",
            Obj([.. execute.Base, ("persistent_workspace", "true"), ("files", $"{{\"/workspace/a.txt\": {Str(UnknownHash)}}}")]), 404, UnknownHash);
        yield return download.Case("hash: unknown", download.Body(), 404, "File not found");
        yield return expire.Case("hash: unknown", expire.Body(), 404, "File not found");
        foreach (var (label, hash) in new[]
                 {
                     ("uppercase", UnknownHash.ToUpperInvariant()), ("63 characters", UnknownHash[..63]), ("65 characters", UnknownHash + "0"),
                     ("not hex", new string('g', 64)), ("with NUL", UnknownHash[..63] + "\0"), ("sha1 length", UnknownHash[..40]),
                 })
        {
            yield return execute.Case($"hash: {label} in files", execute.With("files", $"{{\"/workspace/a.txt\": {Str(hash)}}}"), 400, "SHA-256");
            yield return download.Case($"hash: {label}", download.With("file_hash", Str(hash)), 400, "file_hash");
            yield return expire.Case($"hash: {label}", expire.With("file_hash", Str(hash)), 400, "file_hash");
        }

        // Chat A's file (uploaded by the fixture) used by chat B: the same 404 as unknown, and nothing for B is stored.
        yield return execute.Case("hash: other chat's in files", execute.With("files", $"{{\"/workspace/a.txt\": {Str(HashA)}}}"), 404, HashA);
        yield return execute.Case("hash: other chat's in files, persistent workspace",
            Obj([.. execute.Base, ("persistent_workspace", "true"), ("files", $"{{\"/workspace/a.txt\": {Str(HashA)}}}")]), 404, HashA);
        yield return execute.Case("hash: other chat's in files as chat default",
            Obj([("source_code", Str("print(1)")), ("chat_id", Str("default")), ("files", $"{{\"/workspace/a.txt\": {Str(HashA)}}}")]), 404, HashA);
        yield return download.Case("hash: other chat's",
            Obj([("chat_id", Str(ChatB)), ("file_hash", Str(HashA)), ("filename", Str(FileAName))]), 404, "File not found");
        yield return expire.Case("hash: other chat's",
            Obj([("chat_id", Str(ChatB)), ("file_hash", Str(HashA)), ("filename", Str(FileAName))]), 404, "File not found");
        yield return download.Case("hash: own hash, other file name",
            Obj([("chat_id", Str(ChatA)), ("file_hash", Str(HashA)), ("filename", Str("other.txt"))]), 404, "File not found");
        yield return expire.Case("hash: own hash, other file name",
            Obj([("chat_id", Str(ChatA)), ("file_hash", Str(HashA)), ("filename", Str("other.txt"))]), 404, "File not found");
        yield return download.Case("hash: other chat's, no chat_id",
            Obj([("file_hash", Str(HashA)), ("filename", Str(FileAName))]), 400, "chat_id");
    }

    // ----- Heads without bodies -----

    // Kestrel's behaviour, asserted as it is: a client that stops sending but stays connected gets 408 once the minimum
    // body data rate's grace period (5 s) is over; a client that half-closes (FIN) mid-body has its connection closed or
    // reset without an answer (Kestrel treats the FIN as the client going away). Either way: no 5xx, and the server lives.
    private static IEnumerable<HostileRequestCase> HeadersWithoutBody()
    {
        foreach (var (path, type) in PostEndpoints())
        {
            var shortName = path[4..];
            yield return new HostileRequestCase($"{shortName}: head only: Content-Length 100, no body, client half-closes", "POST", path,
                [new("Content-Type", type), new("Content-Length", "100")], null, BodyDelivery.HalfClose, [400], "could not be read", MayGoUnanswered: true);
            yield return new HostileRequestCase($"{shortName}: head only: Content-Length 100, no body, client waits", "POST", path,
                [new("Content-Type", type), new("Content-Length", "100")], null, BodyDelivery.Stall, [408], "did not arrive in time");
            yield return new HostileRequestCase($"{shortName}: head only: Content-Length 100, 10 bytes, client half-closes", "POST", path,
                [new("Content-Type", type), new("Content-Length", "100")], Utf8(path == "/v1/upload" ? "--" + Boundary + "\r\nCon" : "{\"chat_id\""),
                BodyDelivery.HalfClose, [400], "could not be read", MayGoUnanswered: true);
        }
    }

    // ----- Content types -----

    private static IEnumerable<HostileRequestCase> ContentTypes()
    {
        foreach (var e in JsonEndpoints())
        {
            foreach (var type in new[] { null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "json" })
            {
                var headers = type is null ? [] : new List<KeyValuePair<string, string>> { new("Content-Type", type) };
                yield return new HostileRequestCase($"{e.Short}: content type: {type ?? "missing"}", "POST", e.Path, headers, Utf8(e.Body()),
                    BodyDelivery.Complete, [415], "JSON");
            }

            // Binding honours the charset and transcodes (so the UTF-8 bytes are not JSON); the custom-tool readers read UTF-8.
            var customTool = e.Short.EndsWith("custom-tool", StringComparison.Ordinal);
            yield return e.Case("content type: json labelled UTF-16, body UTF-8", Utf8(Obj(e.Missing.Fields)), 400,
                customTool ? e.Missing.Field : "not valid JSON", contentType: "application/json; charset=utf-16");
        }

        var form = Form(Field("chat_id", ChatB), FilePart("a.txt", "hello"u8.ToArray()));
        foreach (var (type, status, mention) in new (string?, int, string)[]
                 {
                     (null, 415, "multipart"), ("application/json", 415, "multipart"), ("text/plain", 415, "multipart"),
                     ("multipart/mixed; boundary=" + Boundary, 415, "multipart"), ("multipart/form-data", 400, "boundary"),
                     ("multipart/form-data; boundary=", 400, "boundary"), ("multipart/form-data; boundary=\"\"", 400, "boundary"),
                     ("multipart/form-data; boundary=" + new string('b', 201), 400, "boundary"),
                 })
        {
            var headers = type is null ? [] : new List<KeyValuePair<string, string>> { new("Content-Type", type) };
            var label = type is { Length: > 60 } ? type[..40] + "..." : type ?? "missing";
            yield return new HostileRequestCase($"upload: content type: {label}", "POST", "/v1/upload", headers, form,
                BodyDelivery.Complete, [status], mention);
        }
    }

    // ----- Broken multipart -----

    private static IEnumerable<HostileRequestCase> BrokenMultipart()
    {
        var hello = "hello"u8.ToArray();
        var whole = Form(Field("chat_id", ChatB), FilePart("a.txt", hello));
        var closing = Utf8($"--{Boundary}--\r\n").Length;

        yield return Upload("multipart: no closing boundary", whole[..^closing], 400, "multipart");
        yield return Upload("multipart: cut inside the file part", whole[..^(closing + 4)], 400, "multipart");
        yield return Upload("multipart: cut inside the part headers", Utf8($"--{Boundary}\r\nContent-Disposition: form-da"), 400, "multipart");
        yield return Upload("multipart: only the first boundary", Utf8($"--{Boundary}\r\n"), 400, "multipart");
        yield return Upload("multipart: boundary missing from the body", Utf8("just some bytes, no boundary at all\r\n"), 400, "multipart");
        yield return Upload("multipart: body's boundary differs from the header's",
            [.. Utf8("--other-boundary\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\nx\r\n--other-boundary--\r\n")], 400, "multipart");
        yield return Upload("multipart: empty body", [], 400, "multipart");
        yield return Upload("multipart: file part without Content-Disposition",
            Form(Field("chat_id", ChatB), [.. Utf8($"--{Boundary}\r\nContent-Type: text/plain\r\n\r\n"), .. hello, .. "\r\n"u8.ToArray()]), 400, "upload");
        yield return Upload("multipart: file part as attachment",
            Form(Field("chat_id", ChatB), RawPart("attachment; name=\"upload\"; filename=\"a.txt\"", hello)), 400, "upload");
        yield return Upload("multipart: Content-Disposition without a name",
            Form(Field("chat_id", ChatB), RawPart("form-data; filename=\"a.txt\"", hello)), 400, "upload");
        yield return Upload("multipart: unparsable Content-Disposition",
            Form(Field("chat_id", ChatB), RawPart(";;;===\"", hello)), 400, "upload");
        yield return Upload("multipart: no upload part", Form(Field("chat_id", ChatB)), 400, "upload");
        yield return Upload("multipart: upload part without filename",
            Form(Field("chat_id", ChatB), RawPart("form-data; name=\"upload\"", hello)), 400, "filename");
        yield return Upload("multipart: two upload parts",
            Form(Field("chat_id", ChatB), FilePart("a.txt", hello), FilePart("b.txt", hello)), 400, "more than one");
        yield return Upload("multipart: missing chat_id", Form(FilePart("a.txt", hello)), 400, "chat_id");
        yield return Upload("multipart: invalid chat_id", Form(Field("chat_id", "../etc"), FilePart("a.txt", hello)), 400, "chat_id");
        yield return Upload("multipart: part header without colon",
            Form(Field("chat_id", ChatB), [.. Utf8($"--{Boundary}\r\nthis is not a header\r\n\r\n"), .. hello, .. "\r\n"u8.ToArray()]), 400, "malformed");
        yield return Upload("multipart: 200 fields", Form([.. Enumerable.Range(0, 200).Select(i => Field($"f{i}", "v"))]), 400, "upload");
        yield return Upload("invalid utf-8: 0xFF in chat_id field",
            Form(RawPart("form-data; name=\"chat_id\"", [0x68, 0xFF, 0x72]), FilePart("a.txt", hello)), 400, "chat_id");
        yield return Upload("invalid utf-8: 0xFF in the filename",
            Form(Field("chat_id", ChatB), RawPartBytes([.. Utf8("form-data; name=\"upload\"; filename=\"a"), 0xFF, .. Utf8(".txt\"")], hello)),
            400, "filename");
        yield return Upload("invalid utf-8: 0xFF in a field name",
            Form(RawPartBytes([.. Utf8("form-data; name=\"chat"), 0xFF, .. Utf8("id\"")], Utf8(ChatB)), FilePart("a.txt", hello)), 400, "chat_id");
        yield return Upload("invalid utf-8: 0xFF in max_downloads",
            Form(Field("chat_id", ChatB), RawPart("form-data; name=\"max_downloads\"", [0x31, 0xFF]), FilePart("a.txt", hello)), 400, "max_downloads");
    }

    // ----- Chunked framing -----

    private static IEnumerable<HostileRequestCase> ChunkedFraming()
    {
        var body = Utf8("{\"chat_id\": \"hr-chat-b\"}");
        foreach (var (path, type) in new[] { ("/v1/execute", "application/json"), ("/v1/parse-custom-tool", "application/json"),
                     ("/v1/upload", "multipart/form-data; boundary=" + Boundary) })
        {
            var shortName = path[4..];
            List<KeyValuePair<string, string>> headers = [new("Content-Type", type), new("Transfer-Encoding", "chunked")];
            yield return new HostileRequestCase($"{shortName}: chunked: chunk size not hex", "POST", path, headers,
                [.. Utf8("zz\r\n"), .. body, .. Utf8("\r\n0\r\n\r\n")], BodyDelivery.Complete, [400], "could not be read");
            yield return new HostileRequestCase($"{shortName}: chunked: no last chunk, client half-closes", "POST", path, headers,
                [.. Utf8($"{body.Length:x}\r\n"), .. body, .. Utf8("\r\n")], BodyDelivery.HalfClose, [400], "could not be read", MayGoUnanswered: true);
            yield return new HostileRequestCase($"{shortName}: chunked: chunk longer than declared", "POST", path, headers,
                [.. Utf8("3\r\n"), .. body, .. Utf8("\r\n0\r\n\r\n")], BodyDelivery.Complete, [400], "could not be read");
        }
    }

    // ----- Odd headers on a request whose body misses a required field: the answer still names the field -----

    private static IEnumerable<HostileRequestCase> OddHeaders()
    {
        foreach (var e in JsonEndpoints())
        {
            var body = Utf8(Obj(e.Missing.Fields));
            var customTool = e.Short.EndsWith("custom-tool", StringComparison.Ordinal);
            foreach (var charset in new[] { "bogus", "utf-32", "\"\"", "utf-8; charset=latin1" })
            {
                // Binding decodes by the charset (an unknown or empty one is refused); the custom-tool readers read UTF-8.
                var unknown = charset is "bogus" or "\"\"";
                var status = !customTool && unknown ? 415 : 400;
                var mention = customTool || charset.StartsWith("utf-8", StringComparison.Ordinal) ? e.Missing.Field
                    : status == 415 ? "charset" : "not valid JSON";
                yield return new HostileRequestCase($"{e.Short}: header: Content-Type charset={charset}", "POST", e.Path,
                    [new("Content-Type", "application/json; charset=" + charset)], body, BodyDelivery.Complete, [status], mention);
            }

            foreach (var (label, name, value) in new[]
                     {
                         ("X-Request-Id of 8 KB", "X-Request-Id", new string('r', 8192)), ("X-Request-Id of symbols", "X-Request-Id", "<script>\"';--"),
                         ("X-Forwarded-For garbage", "X-Forwarded-For", "::::, 999.1.1.1, not-an-ip"), ("Expect: unknown", "Expect", "something-else"),
                         ("Content-Type media type upper case", "Content-Type", "APPLICATION/JSON"),
                     })
            {
                List<KeyValuePair<string, string>> headers = name == "Content-Type" ? [] : [new("Content-Type", "application/json")];
                headers.Add(new(name, value));
                // (Kestrel ignores an expectation it does not know, so the body is read and judged like any other.)
                yield return new HostileRequestCase($"{e.Short}: header: {label}", "POST", e.Path, headers, body, BodyDelivery.Complete,
                    [400], e.Missing.Field);
            }
        }

        foreach (var method in new[] { "FOOBAR", "PROPFIND", "M" + new string('x', 200) })
        {
            yield return new HostileRequestCase($"execute: method {(method.Length > 20 ? "of 201 characters" : method)}", method, "/v1/execute", [], null,
                BodyDelivery.Complete, [405], "POST");
        }
    }

    // ----- Methods and routes -----

    private static IEnumerable<HostileRequestCase> MethodsAndRoutes()
    {
        foreach (var (path, _) in PostEndpoints())
        {
            foreach (var method in new[] { "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE" })
            {
                yield return new HostileRequestCase($"{path[4..]}: method {method}", method, path, [], null, BodyDelivery.Complete, [405], "POST");
            }
        }

        foreach (var path in new[] { "/healthz", "/readyz", "/metrics", "/openapi/v1.json" })
        {
            foreach (var method in new[] { "POST", "PUT", "DELETE" })
            {
                yield return new HostileRequestCase($"{path}: method {method}", method, path, [new("Content-Type", "application/json")],
                    Utf8("{}"), BodyDelivery.Complete, [405], "GET");
            }
        }

        foreach (var (method, target) in new[]
                 {
                     ("GET", "/"), ("POST", "/v1"), ("POST", "/v2/execute"), ("POST", "/v1/execute/extra"), ("GET", "/../../etc/passwd"),
                     ("GET", "/%2e%2e/%2e%2e/etc/passwd"), ("POST", $"/v1/download/../../{Canary}"), ("GET", "/openapi/v2.json"),
                     ("GET", "/openapi/..%2f..%2fetc%2fpasswd.json"), ("GET", "/" + new string('r', 4000)), ("GET", "/v1/download"),
                     ("POST", "/healthz/extra"),
                 })
        {
            var label = target.Length > 60 ? target[..20] + $"...({target.Length} chars)" : target.Replace(Canary, "X");
            var expected = target == "/v1/download" ? 405 : 404;
            yield return new HostileRequestCase($"route: {method} {label}", method, target, [new("Content-Type", "application/json")], Utf8("{}"),
                BodyDelivery.Complete, [expected], expected == 404 ? "No endpoint" : "POST");
        }
    }

    // ----- Building blocks -----

    private static IEnumerable<(string Path, string ContentType)> PostEndpoints() =>
    [
        ("/v1/execute", "application/json"), ("/v1/upload", "multipart/form-data; boundary=" + Boundary),
        ("/v1/download", "application/json"), ("/v1/expire", "application/json"),
        ("/v1/parse-custom-tool", "application/json"), ("/v1/execute-custom-tool", "application/json"),
    ];

    private static HostileRequestCase Upload(string name, byte[] form, int status, string? mention) =>
        new("upload: " + name, "POST", "/v1/upload", [new("Content-Type", "multipart/form-data; boundary=" + Boundary)], form,
            BodyDelivery.Complete, [status], mention);

    private static byte[] Form(params byte[][] parts) => [.. parts.SelectMany(p => p), .. Utf8($"--{Boundary}--\r\n")];

    private static byte[] Field(string name, string value) => RawPart($"form-data; name=\"{name}\"", Utf8(value));

    private static byte[] FilePart(string filename, byte[] content) =>
        RawPartBytes(Utf8($"form-data; name=\"upload\"; filename=\"{filename}\""), content, "application/octet-stream");

    private static byte[] RawPart(string disposition, byte[] content) => RawPartBytes(Utf8(disposition), content);

    private static byte[] RawPartBytes(byte[] disposition, byte[] content, string? contentType = null) =>
    [
        .. Utf8($"--{Boundary}\r\nContent-Disposition: "), .. disposition, .. Utf8("\r\n"),
        .. (contentType is null ? [] : Utf8($"Content-Type: {contentType}\r\n")), .. Utf8("\r\n"), .. content, .. Utf8("\r\n"),
    ];

    private static byte[] Chunked(byte[] payload, int chunkSize)
    {
        var chunked = new MemoryStream();
        for (var offset = 0; offset < payload.Length; offset += chunkSize)
        {
            var length = Math.Min(chunkSize, payload.Length - offset);
            chunked.Write(Utf8($"{length:x}\r\n"));
            chunked.Write(payload, offset, length);
            chunked.Write("\r\n"u8);
        }

        chunked.Write("0\r\n\r\n"u8);
        return chunked.ToArray();
    }

    internal static string Obj(IEnumerable<(string Key, string Raw)> fields) =>
        "{" + string.Join(", ", fields.Select(f => $"{Str(f.Key)}: {f.Raw}")) + "}";

    internal static string Str(string value) => JsonSerializer.Serialize(value);

    internal static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Printable(string name) =>
        name.Replace(Canary, "X").Replace("\0", "\\0").Replace("\r", "\\r").Replace("\n", "\\n");

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
