using Interpreter.Api.Features.Files.Download;
using Shouldly;

namespace Interpreter.Api.Tests.Files;

public sealed class ContentDispositionTests
{
    [Theory]
    [InlineData("report.csv", "attachment; filename=\"report.csv\"; filename*=UTF-8''report.csv")]
    [InlineData("résumé 1.pdf", "attachment; filename=\"r_sum_ 1.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf")]
    [InlineData("a\"b\\c%d.txt", "attachment; filename=\"a_b_c_d.txt\"; filename*=UTF-8''a%22b%5Cc%25d.txt")]
    [InlineData("图.png", "attachment; filename=\"_.png\"; filename*=UTF-8''%E5%9B%BE.png")]
    public void Attachment_QuotesAnAsciiNameAndEncodesTheExactOne_WhenBuilt(string name, string expected)
    {
        ContentDisposition.Attachment(name).ShouldBe(expected);
    }

    [Fact]
    public void Attachment_ParsesBackToTheExactName_WithAspNetCoresParser()
    {
        var header = ContentDisposition.Attachment("résumé 1.pdf");

        var parsed = Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.Parse(header);

        parsed.FileNameStar.Value.ShouldBe("résumé 1.pdf");
        parsed.DispositionType.Value.ShouldBe("attachment");
    }
}
