namespace AgentKit.Hosting.Models;

/// <summary>Where a configured local model is in its life.</summary>
public enum ModelLoadState
{
    /// <summary>Not requested yet (no warm-up and no call so far).</summary>
    NotLoaded,

    /// <summary>Being downloaded or loaded.</summary>
    Loading,

    /// <summary>Loaded and serving.</summary>
    Loaded,

    /// <summary>Loading failed; <see cref="ModelStatus.Error"/> says why.</summary>
    Failed,
}

/// <summary>A snapshot of one configured model.</summary>
/// <param name="Name">The model's configuration name.</param>
/// <param name="State">Its load state.</param>
/// <param name="Progress">Load progress in [0, 1] while loading.</param>
/// <param name="Error">The failure message when <paramref name="State"/> is <see cref="ModelLoadState.Failed"/>.</param>
public sealed record ModelStatus(string Name, ModelLoadState State, float Progress, string? Error);
