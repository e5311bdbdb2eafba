namespace AgentKit.Rag.Tests.Support;

/// <summary>A temporary folder of test files, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Root = Directory.CreateTempSubdirectory("agentkit-rag-").FullName;

    public string Root { get; }

    public string Write(string relative, string text) => Write(relative, System.Text.Encoding.UTF8.GetBytes(text));

    public string Write(string relative, byte[] content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Delete(string relative) => File.Delete(Path.Combine(Root, relative));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
