using AgentKit.LlamaCpp.Gguf;

namespace AgentKit.LlamaCpp;

/// <summary>Checks a model file before it is handed to native code, so bad files fail with a clear message.</summary>
internal static class ModelFileValidator
{
    public static void Validate(string path, bool vocabOnly)
    {
        if (Directory.Exists(path))
        {
            throw new LlamaModelLoadException(path, "it is a directory, not a GGUF file.");
        }

        if (!File.Exists(path))
        {
            throw new LlamaModelLoadException(path, "the file does not exist.", new FileNotFoundException(null, path));
        }

        GgufFile file;
        try
        {
            file = GgufReader.Check(path);
        }
        catch (GgufFormatException ex)
        {
            throw new LlamaModelLoadException(path, ex.Problem ?? ex.Message, ex);
        }
        catch (IOException ex)
        {
            throw new LlamaModelLoadException(path, $"the file cannot be read: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new LlamaModelLoadException(path, $"the file cannot be read: {ex.Message}", ex);
        }

        var architecture = file.Architecture;
        if (architecture is null)
        {
            throw new LlamaModelLoadException(path, "the file has no 'general.architecture' key, so llama.cpp cannot tell what model it is.");
        }

        if (!GgufArchitectures.Known.Contains(architecture))
        {
            throw new LlamaModelLoadException(path, $"architecture '{architecture}' is not one llama.cpp v0.5.0 supports.");
        }

        if (!vocabOnly && file.Tensors.Count == 0)
        {
            throw new LlamaModelLoadException(path, "the file holds no tensors (a vocabulary-only file); load it with LlamaModelOptions.VocabOnly = true.");
        }
    }
}
