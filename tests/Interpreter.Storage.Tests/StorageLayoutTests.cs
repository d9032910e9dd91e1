using Shouldly;

namespace Interpreter.Storage.Tests;

public sealed class StorageLayoutTests
{
    public static TheoryData<string> LineBreaks => ["\n", "\r\n", "\r", "\u2028", "\u0085"];

    [Theory]
    [MemberData(nameof(LineBreaks))]
    public void IsBlobName_Refuses_WhenALineBreakEndsIt(string end)
    {
        var hash = new string('0', 64);
        StorageLayout.IsBlobName(hash).ShouldBeTrue();

        StorageLayout.IsBlobName(hash + end).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => new StorageLayout("/tmp/x").BlobPath(hash + end));
    }
}
