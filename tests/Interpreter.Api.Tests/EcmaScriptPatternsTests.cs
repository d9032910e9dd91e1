using Interpreter.Api.Operations;
using Shouldly;

namespace Interpreter.Api.Tests;

public sealed class EcmaScriptPatternsTests
{
    [Theory]
    [InlineData(@"^[0-9A-Za-z_-]{1,255}\z", "^[0-9A-Za-z_-]{1,255}$")]
    [InlineData(@"^[0-9a-f]{64}\z", "^[0-9a-f]{64}$")]
    // An escaped backslash followed by z is a literal "\z" to match, not the anchor: left as it is.
    [InlineData(@"^a\\z", @"^a\\z")]
    [InlineData("^a$", "^a$")]
    [InlineData(@"^\z.", @"^\z.")]
    public void ToEcmaScript_WritesTheFinalAnchorAsDollar_WhenThePatternEndsAtBackslashZ(string pattern, string expected)
    {
        // Act
        var written = EcmaScriptPatterns.ToEcmaScript(pattern);

        // Assert
        written.ShouldBe(expected);
    }
}
