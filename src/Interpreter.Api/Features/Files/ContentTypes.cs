using Microsoft.AspNetCore.StaticFiles;

namespace Interpreter.Api.Features.Files;

/// <summary>Content-Type of a stored file, from its extension (ASP.NET Core's table), else octet-stream.</summary>
internal static class ContentTypes
{
    private static readonly FileExtensionContentTypeProvider Provider = new();

    public static string For(string filename) =>
        Provider.TryGetContentType(filename, out var type) ? type : "application/octet-stream";
}
