using System.Text;
using Interpreter.Api.Features.Execute.Run;
using Interpreter.IntegrationTests.Infrastructure;
using Shouldly;

namespace Interpreter.IntegrationTests.Image;

/// <summary>
/// The tools the reference's clients promise the model (BeeAI's PythonTool description) and the rest of the
/// reference image's set, each used for real in a sandbox through the service: what they make is checked here.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class ImageToolTests(DockerFixture fixture)
{
    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<ExecuteResponse> RunAsync(string code, string chat)
    {
        var result = await fixture.Client.ExecuteWithAsync(new { source_code = code, chat_id = chat, timeout_seconds = 60 }, Ct);
        result.ExitCode.ShouldBe(0, $"stderr: {result.Stderr}");
        return result;
    }

    private async Task<byte[]> DownloadAsync(ExecuteResponse result, string chat, string path) =>
        (await fixture.Client.DownloadBytesAsync(chat, result.Files[path], Path.GetFileName(path), Ct)).ShouldNotBeNull();

    private static string NewChat() => "tools-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Ffmpeg_ExtractsAFrameAsPng_WhenGivenAGeneratedVideo()
    {
        var chat = NewChat();

        var result = await RunAsync(
            "ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=size=96x64:rate=10 -t 1 -pix_fmt yuv420p clip.mp4 && " +
            "ffmpeg -hide_banner -loglevel error -i clip.mp4 -vf select='eq(n\\,5)' -frames:v 1 frame.png && " +
            "ffprobe -v error -select_streams v -show_entries stream=codec_name,width,height -of csv=p=0 clip.mp4", chat);

        result.Stdout.Trim().ShouldBe("h264,96,64");
        var frame = await DownloadAsync(result, chat, "/workspace/frame.png");
        frame[..4].ShouldBe(PngMagic);
    }

    [Fact]
    public async Task Pandoc_ConvertsMarkdownToHtmlAndPdf_WhenGivenAMarkdownFile()
    {
        var chat = NewChat();

        var result = await RunAsync(
            "printf '# Report\\n\\nSome *emphasis* and a [link](https://example.org).\\n' > report.md && pandoc report.md -o report.html && " +
            "pandoc report.md -o report.pdf --pdf-engine=weasyprint 2>/dev/null && cat report.html", chat);

        result.Stdout.ShouldContain("<h1 id=\"report\">Report</h1>");
        result.Stdout.ShouldContain("<em>emphasis</em>");
        result.Stdout.ShouldContain("href=\"https://example.org\">link</a>");
        Encoding.UTF8.GetString(await DownloadAsync(result, chat, "/workspace/report.html")).ShouldContain("<em>emphasis</em>");
        (await DownloadAsync(result, chat, "/workspace/report.pdf"))[..5].ShouldBe("%PDF-"u8.ToArray());
    }

    [Fact]
    public async Task YtDlp_CopiesAVideoAndReadsItsMetadata_WhenGivenALocalFileUrl()
    {
        // No network in a sandbox: yt-dlp's generic extractor on a file:// URL is the part that can run here.
        var chat = NewChat();

        var result = await RunAsync(
            "ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=size=64x48:rate=5 -t 1 clip.mp4 && " +
            "yt-dlp --version && yt-dlp --enable-file-urls --no-progress -q -o 'copy.%(ext)s' file:///workspace/clip.mp4 && " +
            "cmp clip.mp4 copy.mp4 && echo same", chat);

        result.Stdout.ShouldBe("2023.03.04\nsame\n");
        result.Files.Keys.ShouldContain("/workspace/copy.mp4");
    }

    [Fact]
    public async Task PikepdfAndFitz_ReadAPdf_WhenTheCodeMakesIt()
    {
        const string code = """
            import matplotlib.pyplot as plt
            from matplotlib.backends.backend_pdf import PdfPages
            with PdfPages("/workspace/doc.pdf") as pdf:
                for n in (1, 2):
                    fig = plt.figure(figsize=(4, 3))
                    fig.text(0.1, 0.5, f"Page number {n}")
                    pdf.savefig(fig)
                    plt.close(fig)
            import pikepdf, fitz, PyPDF2
            with pikepdf.open("/workspace/doc.pdf") as p:
                print("pikepdf", len(p.pages))
            doc = fitz.open("/workspace/doc.pdf")
            print("fitz", doc.page_count, doc[1].get_text().strip())
            doc[0].get_pixmap(dpi=50).save("/workspace/page1.png")
            print("PyPDF2", len(PyPDF2.PdfReader("/workspace/doc.pdf").pages))
            """;
        var chat = NewChat();

        var result = await RunAsync(code, chat);

        result.Stdout.ShouldBe("pikepdf 2\nfitz 2 Page number 2\nPyPDF2 2\n");
        (await DownloadAsync(result, chat, "/workspace/page1.png"))[..4].ShouldBe(PngMagic);
    }

    [Fact]
    public async Task Pdf2image_RendersPdfPagesAsImages_WhenGivenAPathOrBytes()
    {
        const string code = """
            import fitz, pdf2image
            doc = fitz.open()
            for n in range(3):
                page = doc.new_page(width=200, height=100)
                page.insert_text((20, 50), f"page {n + 1}")
            doc.save("/workspace/three.pdf")
            images = pdf2image.convert_from_path("/workspace/three.pdf", dpi=72)
            print(len(images), images[0].size, images[0].mode)
            two = pdf2image.convert_from_bytes(open("/workspace/three.pdf", "rb").read(), dpi=36, first_page=2, last_page=3, fmt="png")
            print(len(two), two[0].size)
            paths = pdf2image.convert_from_path("/workspace/three.pdf", dpi=36, output_folder="/workspace", fmt="png",
                                                output_file="out", paths_only=True, single_file=True)
            print(paths)
            print(pdf2image.pdfinfo_from_path("/workspace/three.pdf")["Pages"])
            try:
                pdf2image.convert_from_bytes(b"not a pdf")
            except pdf2image.exceptions.PDFPageCountError as e:
                print("not a pdf:", type(e).__name__)
            """;
        var chat = NewChat();

        var result = await RunAsync(code, chat);

        result.Stdout.ShouldBe("3 (200, 100) RGB\n2 (100, 50)\n['/workspace/out.png']\n3\nnot a pdf: PDFPageCountError\n");
        (await DownloadAsync(result, chat, "/workspace/out.png"))[..4].ShouldBe(PngMagic);
    }

    [Fact]
    public async Task OpenCv_FindsTheOutlineOfADrawnSquare_WhenGivenAnImage()
    {
        const string code = """
            import cv2, numpy as np
            img = np.zeros((100, 100, 3), np.uint8)
            cv2.rectangle(img, (20, 30), (70, 80), (255, 255, 255), -1)
            cv2.imwrite("/workspace/square.png", img)
            gray = cv2.cvtColor(cv2.imread("/workspace/square.png"), cv2.COLOR_BGR2GRAY)
            _, mask = cv2.threshold(cv2.GaussianBlur(gray, (3, 3), 0), 127, 255, cv2.THRESH_BINARY)
            contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            print(cv2.__version__, len(contours), cv2.boundingRect(contours[0]))
            """;
        var chat = NewChat();

        var result = await RunAsync(code, chat);

        result.Stdout.ShouldBe("4.6.0 1 (20, 30, 51, 51)\n");
        (await DownloadAsync(result, chat, "/workspace/square.png"))[..4].ShouldBe(PngMagic);
    }

    [Fact]
    public async Task ImageMagick_ResizesAnImage_WhenRunFromTheShell()
    {
        var chat = NewChat();

        var result = await RunAsync("convert -size 40x20 xc:red big.png && convert big.png -resize 50% small.png && identify -format '%w %h %[pixel:p{1,1}]\\n' small.png", chat);

        result.Stdout.ShouldBe("20 10 srgb(255,0,0)\n");
        (await DownloadAsync(result, chat, "/workspace/small.png"))[..4].ShouldBe(PngMagic);
    }

    [Fact]
    public async Task Weasyprint_RendersHtmlToPdf_WhenGivenHtml()
    {
        const string code = """
            import weasyprint, fitz
            weasyprint.HTML(string="<h1>Invoice</h1><p>Total: 42</p>").write_pdf("/workspace/invoice.pdf")
            doc = fitz.open("/workspace/invoice.pdf")
            print(doc.page_count, doc[0].get_text().split())
            """;
        var chat = NewChat();

        var result = await RunAsync(code, chat);

        result.Stdout.ShouldBe("1 ['Invoice', 'Total:', '42']\n");
        (await DownloadAsync(result, chat, "/workspace/invoice.pdf"))[..5].ShouldBe("%PDF-"u8.ToArray());
    }

    [Theory]
    [InlineData("scipy", "import scipy.integrate\nprint(round(scipy.integrate.quad(lambda x: x * x, 0, 3)[0], 6))", "9.0\n")]
    [InlineData("sympy", "import sympy\nx = sympy.symbols('x')\nprint(sympy.integrate(x**2, (x, 0, 3)), sympy.factor(x**2 - 1))", "9 (x - 1)*(x + 1)\n")]
    [InlineData("pillow", "import PIL.Image\nimg = PIL.Image.new('RGB', (8, 4), 'blue').rotate(90, expand=True)\nprint(img.size, img.getpixel((0, 0)))", "(4, 8) (0, 0, 255)\n")]
    [InlineData("xarray", "import xarray, numpy\na = xarray.DataArray(numpy.arange(6).reshape(2, 3), dims=('x', 'y'))\nprint(a.sum(dim='x').values.tolist())", "[3, 5, 7]\n")]
    [InlineData("tabulate", "import tabulate\nprint(tabulate.tabulate([['a', 1]], headers=['k', 'v'], tablefmt='github'))", "| k   |   v |\n|-----|-----|\n| a   |   1 |\n")]
    [InlineData("jinja2", "import jinja2\nprint(jinja2.Template('{% for n in ns %}{{ n * 2 }} {% endfor %}').render(ns=[1, 2]))", "2 4 \n")]
    [InlineData("pydantic", "import pydantic\nclass M(pydantic.BaseModel):\n    n: int\nprint(M(n='5').n + 1)\ntry:\n    M(n='x')\nexcept pydantic.ValidationError:\n    print('invalid')", "6\ninvalid\n")]
    public async Task PythonLibrary_Works_WhenImportedByTheCode(string library, string code, string expected)
    {
        var result = await RunAsync(code, NewChat());

        result.Stdout.ShouldBe(expected, library);
    }

    [Fact]
    public async Task Moviepy_IsNotInstalled_BecauseDebian12HasNoPackageOfIt()
    {
        // Said plainly in executor-image/README.md: nothing pretends to be moviepy.
        var result = await fixture.Client.ExecuteAsync("import moviepy", Ct);

        result.ExitCode.ShouldBe(1);
        result.Stderr.ShouldContain("ModuleNotFoundError: No module named 'moviepy'");
    }
}
