namespace Interpreter.Api.Features.Execute;

/// <summary>
/// Paths of files under /workspace as a set: a path cannot be a file and the folder of another file at once,
/// so two entries where one is a parent folder of the other cannot both be placed.
/// </summary>
internal static class WorkspacePaths
{
    /// <summary>The first parent folder of <paramref name="path"/> (shortest first) that <paramref name="files"/> holds as a file.</summary>
    public static string? FileAbove(string path, Func<string, bool> files)
    {
        // "/workspace/" itself is never a file: start after it.
        for (var slash = path.IndexOf('/', "/workspace/".Length); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            var parent = path[..slash];
            if (files(parent))
            {
                return parent;
            }
        }

        return null;
    }

    /// <summary>
    /// The first pair (by path order) where <c>File</c> is a parent folder of <c>Inside</c>; null when the paths
    /// can all be files at once.
    /// </summary>
    public static (string File, string Inside)? FirstConflict(IReadOnlyCollection<string> paths)
    {
        var set = paths as IReadOnlySet<string> ?? new HashSet<string>(paths, StringComparer.Ordinal);
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            if (FileAbove(path, set.Contains) is { } file)
            {
                return (file, path);
            }
        }

        return null;
    }
}
