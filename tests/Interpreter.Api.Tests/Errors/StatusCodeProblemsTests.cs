using Interpreter.Api.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Shouldly;

namespace Interpreter.Api.Tests.Errors;

public sealed class StatusCodeProblemsTests
{
    [Theory]
    [InlineData(404, "GET", "/v2/execute", "", "No endpoint answers GET /v2/execute")]
    [InlineData(405, "PUT", "/v1/execute", "POST", "PUT is not allowed on /v1/execute; use POST.")]
    [InlineData(405, "POST", "/healthz", "", "POST is not allowed on /healthz.")]
    [InlineData(408, "POST", "/v1/execute", "", "did not arrive in time")]
    [InlineData(413, "POST", "/v1/execute", "", "APP_MAX_REQUEST_BYTES")]
    [InlineData(415, "POST", "/v1/download", "", "Content-Type: application/json")]
    [InlineData(400, "POST", "/v1/execute", "", "could not be read")]
    public void Describe_AddsDetail_WhenFrameworkWroteTitleOnly(int status, string method, string path, string allow, string expected)
    {
        var context = Context(status, method, path, allow, detail: null);

        StatusCodeProblems.Describe(context);

        context.ProblemDetails.Detail.ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public void Describe_KeepsDetail_WhenProblemHasOne()
    {
        var context = Context(404, "POST", "/v1/download", "", detail: "File not found");

        StatusCodeProblems.Describe(context);

        context.ProblemDetails.Detail.ShouldBe("File not found");
    }

    [Fact]
    public void Describe_ShortensPath_WhenPathIsHuge()
    {
        var context = Context(404, "GET", "/" + new string('r', 5000), "", detail: null);

        StatusCodeProblems.Describe(context);

        context.ProblemDetails.Detail!.Length.ShouldBeLessThan(400);
    }

    private static ProblemDetailsContext Context(int status, string method, string path, string allow, string? detail)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = path;
        http.Response.StatusCode = status;
        if (allow.Length > 0)
        {
            http.Response.Headers.Allow = allow;
        }

        return new ProblemDetailsContext { HttpContext = http, ProblemDetails = new ProblemDetails { Status = status, Detail = detail } };
    }
}
