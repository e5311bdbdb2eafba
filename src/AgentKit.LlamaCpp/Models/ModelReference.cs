using System.Globalization;

namespace AgentKit.LlamaCpp.Models;

/// <summary>A GGUF file in a Hugging Face repository, optionally pinned by size and SHA-256.</summary>
public sealed record ModelReference
{
    /// <summary>The branch Hugging Face serves when no revision is named.</summary>
    public const string DefaultRevision = "main";

    /// <summary>Creates a reference and checks its parts.</summary>
    /// <param name="repository">The repository, <c>owner/name</c>, e.g. <c>Qwen/Qwen2.5-0.5B-Instruct-GGUF</c>.</param>
    /// <param name="file">The file's path inside the repository, e.g. <c>qwen2.5-0.5b-instruct-q4_k_m.gguf</c>.</param>
    /// <param name="revision">A branch, tag or commit; default <c>main</c>.</param>
    /// <param name="expectedSha256">The file's SHA-256 as 64 hex digits, when known.</param>
    /// <param name="expectedSize">The file's size in bytes, when known.</param>
    /// <exception cref="ArgumentException">A part is empty, malformed or would leave the cache folder.</exception>
    public ModelReference(
        string repository,
        string file,
        string revision = DefaultRevision,
        string? expectedSha256 = null,
        long? expectedSize = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        ArgumentException.ThrowIfNullOrWhiteSpace(revision);

        var parts = repository.Split('/');
        if (parts.Length != 2 || !parts.All(IsRepositoryPart))
        {
            throw new ArgumentException(
                $"'{repository}' is not a Hugging Face repository id: expected 'owner/name' using letters, digits, '-', '_' and '.'.",
                nameof(repository));
        }

        if (!IsRelativePath(file))
        {
            throw new ArgumentException(
                $"'{file}' is not a file path inside a repository: use '/'-separated names without '.', '..', '\\' or ':'.",
                nameof(file));
        }

        if (!IsRelativePath(revision))
        {
            throw new ArgumentException($"'{revision}' is not a branch, tag or commit name.", nameof(revision));
        }

        if (expectedSha256 is not null && !Sha256Hex.IsValid(expectedSha256))
        {
            throw new ArgumentException(
                $"'{expectedSha256}' is not a SHA-256: expected 64 hexadecimal digits.", nameof(expectedSha256));
        }

        if (expectedSize is <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(expectedSize), expectedSize, "The expected size must be a positive number of bytes.");
        }

        Repository = repository;
        File = file;
        Revision = revision;
        ExpectedSha256 = expectedSha256?.ToLowerInvariant();
        ExpectedSize = expectedSize;
    }

    /// <summary>The repository, <c>owner/name</c>.</summary>
    public string Repository { get; }

    /// <summary>The file's path inside the repository.</summary>
    public string File { get; }

    /// <summary>The branch, tag or commit.</summary>
    public string Revision { get; }

    /// <summary>The file's SHA-256 in lower-case hex, when pinned.</summary>
    public string? ExpectedSha256 { get; }

    /// <summary>The file's size in bytes, when pinned.</summary>
    public long? ExpectedSize { get; }

    /// <summary>Returns <c>owner/name/file</c>, plus <c>@revision</c> when it is not <c>main</c>.</summary>
    public override string ToString() =>
        Revision == DefaultRevision
            ? $"{Repository}/{File}"
            : string.Create(CultureInfo.InvariantCulture, $"{Repository}/{File}@{Revision}");

    private static bool IsRepositoryPart(string part) =>
        part.Length > 0 && part is not ("." or "..") && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    // The path is joined under the cache folder, so any segment that could climb out of it or be read as a
    // rooted path is refused rather than cleaned.
    private static bool IsRelativePath(string path) =>
        path.Split('/').All(segment =>
            segment.Length > 0
            && segment is not ("." or "..")
            && !segment.Any(c => char.IsControl(c) || c is '\\' or ':'));
}
