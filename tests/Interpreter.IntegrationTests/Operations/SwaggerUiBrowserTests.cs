using System.Text.Json;
using Interpreter.IntegrationTests.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Shouldly;

namespace Interpreter.IntegrationTests.Operations;

/// <summary>
/// The Swagger UI page at /swagger in a real headless Chromium (Debian's, driven through Debian's chromedriver; nothing
/// downloads a browser): it loads from this service alone, lists every endpoint, and a "Try it out" call of
/// /v1/execute made from it runs the code.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class SwaggerUiBrowserTests(DockerFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";

    private static readonly string[] Endpoints =
    [
        "/v1/execute", "/v1/upload", "/v1/download", "/v1/expire", "/v1/parse-custom-tool", "/v1/execute-custom-tool",
        "/healthz", "/readyz", "/metrics",
    ];

    [Fact]
    public void SwaggerUi_LoadsFromThisServiceListsEveryEndpointAndRunsCode_WhenTriedOutInABrowser()
    {
        Assert.SkipUnless(File.Exists(Chromium) && File.Exists(ChromeDriver),
            "Debian's chromium and chromium-driver are not installed; scripts/test.sh installs them.");
        var origin = fixture.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);
        var stdout = "from the swagger page " + Guid.NewGuid().ToString("N")[..8];
        var profile = Directory.CreateTempSubdirectory("swagger-ui-chromium-");
        try
        {
            using var driver = StartChromium(profile.FullName);
            var wait = new WebDriverWait(driver, TimeSpan.FromSeconds(60));

            // The browser's own start page is not the page under test: its log entries are read away first.
            driver.Navigate().GoToUrl("about:blank");
            driver.Manage().Logs.GetLog("performance");
            driver.Navigate().GoToUrl(origin + "/swagger");
            wait.Until(d => d.FindElements(By.CssSelector(".opblock-summary-path")).Count >= Endpoints.Length);
            var listed = driver.FindElements(By.CssSelector(".opblock-summary-path"))
                .Select(e => e.GetAttribute("data-path")).ToArray();
            var answer = TryOutExecute(driver, wait, stdout);
            var requested = RequestedUrls(driver);

            listed.ShouldBe(Endpoints, ignoreOrder: true);
            answer.ShouldContain("200");
            answer.ShouldContain(stdout);
            requested.ShouldContain(url => url.StartsWith(origin + "/swagger", StringComparison.Ordinal));
            requested.ShouldContain(origin + "/openapi/v1.json");
            requested.ShouldContain(origin + "/v1/execute");
            requested.Where(url => !url.StartsWith(origin + "/", StringComparison.Ordinal) && !IsLocalScheme(url))
                .ShouldBeEmpty("every request of the page must go to this service");
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    private static ChromeDriver StartChromium(string profile)
    {
        // Explicit paths: Selenium Manager is never asked to find (or download) a driver or a browser.
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,4000", $"--user-data-dir={profile}");
        // Every request the page makes is recorded through the DevTools network events of the performance log.
        options.SetLoggingPreference("performance", LogLevel.All);
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static string TryOutExecute(ChromeDriver driver, WebDriverWait wait, string stdout)
    {
        var summary = driver.FindElement(By.CssSelector(".opblock-post .opblock-summary-path[data-path='/v1/execute']"));
        summary.Click();
        var operation = wait.Until(d => d.FindElements(By.CssSelector(".opblock-post.is-open")).FirstOrDefault(o =>
            o.FindElements(By.CssSelector(".opblock-summary-path[data-path='/v1/execute']")).Count > 0));
        // The button answers once the page's scripts have wired it: pressed until the body's editor shows.
        var body = wait.Until(_ =>
        {
            if (operation.FindElements(By.CssSelector("textarea.body-param__text")).FirstOrDefault() is { } editor)
            {
                return editor;
            }

            operation.FindElement(By.CssSelector(".try-out__btn:not(.reset)")).Click();
            return null;
        });
        body.SendKeys(Keys.Control + "a");
        body.SendKeys(Keys.Delete);
        body.SendKeys(JsonSerializer.Serialize(new { chat_id = "swagger-ui", source_code = $"print('{stdout}')" }));
        operation.FindElement(By.CssSelector("button.execute")).Click();

        var answer = wait.Until(_ => operation.FindElements(By.CssSelector(".live-responses-table .response")).FirstOrDefault(r =>
            r.Text.Contains(stdout, StringComparison.Ordinal)));
        return answer.Text;
    }

    private static List<string> RequestedUrls(ChromeDriver driver)
    {
        var urls = new List<string>();
        foreach (var entry in driver.Manage().Logs.GetLog("performance"))
        {
            using var message = JsonDocument.Parse(entry.Message);
            var inner = message.RootElement.GetProperty("message");
            if (inner.GetProperty("method").GetString() == "Network.requestWillBeSent")
            {
                urls.Add(inner.GetProperty("params").GetProperty("request").GetProperty("url").GetString()!);
            }
        }

        urls.ShouldNotBeEmpty("the browser's network log must record the page's requests");
        return urls;
    }

    private static bool IsLocalScheme(string url) =>
        url.StartsWith("data:", StringComparison.Ordinal) || url.StartsWith("blob:", StringComparison.Ordinal)
        || url.StartsWith("about:", StringComparison.Ordinal);
}
