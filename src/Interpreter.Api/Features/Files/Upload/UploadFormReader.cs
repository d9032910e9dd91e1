using System.Text;
using Interpreter.Api.Errors;
using Interpreter.Storage;
using Interpreter.Storage.Blobs;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Interpreter.Api.Features.Files.Upload;

/// <summary>
/// Binds a <c>multipart/form-data</c> upload section by section, streaming the <c>upload</c> part straight into
/// the blob store's temporary file (hashed on the way) instead of buffering it as IFormFile would. Fields may
/// come in any order; the file name is checked before its bytes are read.
/// </summary>
internal static class UploadFormReader
{
    public const string FilenameRule =
        "filename must be 1-255 characters of A-Z, a-z, 0-9, '.', '_' or '-', and not '.' or '..'.";

    private const int MaxFieldBytes = 1024;

    // Large reads keep the boundary scan cheap for big files (1 MiB: about twice the speed of 64 KiB).
    private const int BufferSize = 1 << 20;

    public static async Task<UploadForm> ReadAsync(HttpRequest request, FileStore files, long maxFileBytes, CancellationToken ct)
    {
        var boundary = Boundary(request);
        var reader = new MultipartReader(boundary, request.Body, BufferSize);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? filename = null;
        StagedBlob? staged = null;
        try
        {
            while (await FramingAsync(() => reader.ReadNextSectionAsync(ct)) is { } section)
            {
                // IsFormDisposition() is false for parts with a file name: look at the type itself.
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (name == "upload")
                {
                    if (staged is not null)
                    {
                        throw Invalid("The form has more than one 'upload' part; send one file per request.");
                    }

                    filename = HeaderUtilities.RemoveQuotes(
                        disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    if (!RequestRules.IsUploadFilename(filename))
                    {
                        throw Invalid(FilenameRule);
                    }

                    // The section stream is read through a converter so that a body cut short is a malformed form,
                    // while a failing disk (an IOException of the write side) stays a server error.
                    await using var content = new MultipartSectionStream(section.Body);
                    staged = await files.StageAsync(content, maxFileBytes, ct);
                }
                else if (!disposition.IsFileDisposition())
                {
                    fields[name] = await FramingAsync(() => ReadFieldAsync(section, name, ct));
                }
                else
                {
                    // Another file part: skipped, in large reads (the reader's own drain reads 4 KiB at a time).
                    await FramingAsync(async () => { await section.Body.CopyToAsync(Stream.Null, BufferSize, ct); return true; });
                }
            }

            return new UploadForm
            {
                ChatId = Text(fields, "chat_id"),
                Filename = filename,
                MaxDownloads = Integer(fields, "max_downloads"),
                ExpiresDays = Integer(fields, "expires_days"),
                ExpiresSeconds = Integer(fields, "expires_seconds"),
                File = staged,
            };
        }
        catch (Exception e)
        {
            if (staged is not null)
            {
                await staged.DisposeAsync();
            }

            if (e is FileTooLargeException || e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                throw FileProblems.TooLarge(maxFileBytes);
            }

            if (e is InvalidDataException)
            {
                throw Invalid($"The multipart body is malformed: {e.Message}");
            }

            throw;
        }
    }

    /// <summary>A read of the form's framing: the multipart reader's "unexpected end of stream" is the client's malformed body.</summary>
    private static async Task<T> FramingAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (IOException e) when (MultipartSectionStream.IsCutShort(e))
        {
            throw new InvalidDataException(MultipartSectionStream.CutShortMessage, e);
        }
    }

    private static string Boundary(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "The body must be multipart/form-data with the file in a part named 'upload'.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        return string.IsNullOrEmpty(boundary) || boundary.Length > 200
            ? throw Invalid("The multipart/form-data Content-Type has no valid boundary.")
            : boundary;
    }

    private static async Task<string> ReadFieldAsync(MultipartSection section, string name, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await section.Body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
        {
            length += read;
        }

        if (length > MaxFieldBytes)
        {
            throw Invalid($"The form field '{name}' is longer than {MaxFieldBytes} bytes.");
        }

        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static string? Text(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private static long? Integer(Dictionary<string, string> fields, string name)
    {
        var text = Text(fields, name)?.Trim();
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign,
            System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid($"{name} must be an integer.");
    }

    private static ApiProblemException Invalid(string detail) =>
        new(StatusCodes.Status400BadRequest, "Invalid request", detail);
}
