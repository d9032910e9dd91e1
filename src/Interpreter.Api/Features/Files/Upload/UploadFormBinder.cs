using FastEndpoints;
using Interpreter.Api.Configuration;
using Interpreter.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Interpreter.Api.Features.Files.Upload;

/// <summary>
/// Binds <c>POST /v1/upload</c> through <see cref="UploadFormReader"/>: the file streams to the blob store's
/// temporary place while hashed, never buffered whole as FastEndpoints' own form binding would. The staged file is
/// dropped when the request ends unless the endpoint saved it.
/// </summary>
internal sealed class UploadFormBinder : IRequestBinder<UploadForm>
{
    // Room for the form's other fields and part headers on top of the file itself.
    private const long FormOverheadBytes = 1 << 20;

    public async ValueTask<UploadForm> BindAsync(BinderContext ctx, CancellationToken ct)
    {
        var http = ctx.HttpContext;
        var limit = ctx.Resolve<IOptions<ApiOptions>>().Value.FileSizeLimit.Bytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit + FormOverheadBytes;
        }

        var form = await UploadFormReader.ReadAsync(http.Request, ctx.Resolve<FileStore>(), limit, ct);
        http.Response.RegisterForDisposeAsync(form);
        return form;
    }
}
