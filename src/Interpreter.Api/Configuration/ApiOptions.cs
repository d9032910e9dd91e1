using Interpreter.Executor.Configuration;
using Microsoft.Extensions.Configuration;

namespace Interpreter.Api.Configuration;

/// <summary>HTTP surface settings, bound from <c>APP_*</c> variables.</summary>
internal sealed class ApiOptions
{
    public const string Section = "App";

    /// <summary>host:port Kestrel listens on.</summary>
    [ConfigurationKeyName("HTTP_LISTEN_ADDR")]
    public string HttpListenAddress { get; set; } = "0.0.0.0:50081";

    /// <summary>When false a request without chat_id uses the chat "default".</summary>
    [ConfigurationKeyName("REQUIRE_CHAT_ID")]
    public bool RequireChatId { get; set; } = true;

    /// <summary>Largest JSON request body; larger ones get 413.</summary>
    [ConfigurationKeyName("MAX_REQUEST_BYTES")]
    public ByteSize MaxRequestBytes { get; set; } = new(10L << 20);

    /// <summary>Largest file <c>POST /v1/upload</c> takes; larger ones get 413 and nothing of them is kept.</summary>
    [ConfigurationKeyName("FILE_SIZE_LIMIT")]
    public ByteSize FileSizeLimit { get; set; } = new(1L << 30);
}
