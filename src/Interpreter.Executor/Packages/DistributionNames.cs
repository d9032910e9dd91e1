namespace Interpreter.Executor.Packages;

/// <summary>The distribution to install for a module whose import name is not its distribution's name.</summary>
internal static class DistributionNames
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["sklearn"] = "scikit-learn",
        ["skimage"] = "scikit-image",
        ["cv2"] = "opencv-python-headless",
        ["yaml"] = "PyYAML",
        ["PIL"] = "Pillow",
        ["bs4"] = "beautifulsoup4",
        ["dateutil"] = "python-dateutil",
        ["dotenv"] = "python-dotenv",
        ["docx"] = "python-docx",
        ["pptx"] = "python-pptx",
        ["fitz"] = "PyMuPDF",
        ["Crypto"] = "pycryptodome",
        ["jwt"] = "PyJWT",
        ["magic"] = "python-magic",
        ["serial"] = "pyserial",
        ["usb"] = "pyusb",
        ["OpenSSL"] = "pyOpenSSL",
        ["google.protobuf"] = "protobuf",
        ["attr"] = "attrs",
        ["Levenshtein"] = "python-Levenshtein",
        ["MySQLdb"] = "mysqlclient",
        ["psycopg2"] = "psycopg2-binary",
        ["zmq"] = "pyzmq",
        ["win32api"] = "pywin32",
        ["sentencepiece"] = "sentencepiece",
        ["tabula"] = "tabula-py",
        ["PyPDF2"] = "PyPDF2",
        ["igraph"] = "python-igraph",
        ["Bio"] = "biopython",
        ["gi"] = "PyGObject",
        ["wx"] = "wxPython",
        ["telegram"] = "python-telegram-bot",
        ["slugify"] = "python-slugify",
        ["multipart"] = "python-multipart",
    };

    public static string For(string module) => Known.GetValueOrDefault(module, module);
}
