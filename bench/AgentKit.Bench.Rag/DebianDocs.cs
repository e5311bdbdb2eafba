using System.Diagnostics;

namespace AgentKit.Bench.Rag;

/// <summary>A Debian documentation package and the text PDFs the benchmark takes from it.</summary>
internal sealed record DocPackage(string Name, params string[] Pdfs);

/// <summary>A PDF fetched from a package: where it lies in the corpus folder, and where it came from.</summary>
internal sealed record CorpusPdf(string Package, string PackageFile, string PathInPackage, string Path, long Bytes);

/// <summary>Thrown when apt or dpkg cannot be used; the message is the one line the benchmark prints.</summary>
internal sealed class AptUnavailableException(string message) : Exception(message);

/// <summary>
/// Fetches Debian documentation packages with <c>apt-get download</c> (no root needed) and unpacks them with
/// <c>dpkg -x</c> into a cache folder, then copies the chosen PDFs into one corpus folder, one sub-folder per package.
/// </summary>
internal static class DebianDocs
{
    public static async Task<List<CorpusPdf>> FetchAsync(IReadOnlyList<DocPackage> packages, string cache, string corpus)
    {
        var debs = Directory.CreateDirectory(Path.Combine(cache, "debs")).FullName;
        var root = Directory.CreateDirectory(Path.Combine(cache, "root")).FullName;
        var fetched = new List<CorpusPdf>();
        foreach (var package in packages)
        {
            var deb = FindDeb(debs, package.Name) ?? await DownloadAsync(package.Name, debs);
            await RunAsync("dpkg", ["-x", deb, root], debs);
            foreach (var pdf in package.Pdfs)
            {
                var source = Path.Combine(root, pdf);
                if (!File.Exists(source))
                {
                    throw new FileNotFoundException($"{Path.GetFileName(deb)} has no '{pdf}' (check its file list with dpkg -c).", source);
                }

                var target = Path.Combine(corpus, package.Name, Path.GetFileName(pdf));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target, overwrite: true);
                fetched.Add(new CorpusPdf(package.Name, Path.GetFileName(deb), "/" + pdf, target, new FileInfo(target).Length));
            }
        }

        return fetched;
    }

    private static string? FindDeb(string folder, string package) =>
        Directory.EnumerateFiles(folder, package + "_*.deb").Order(StringComparer.Ordinal).LastOrDefault();

    private static async Task<string> DownloadAsync(string package, string folder)
    {
        var (exit, error) = await TryRunAsync("apt-get", ["download", package], folder);
        if (exit != 0 && Environment.UserName == "root")
        {
            // Empty package lists (a fresh container) are the usual cause; refreshing them needs root.
            Console.WriteLine($"apt-get download {package} failed ({error.Trim()}); running apt-get update");
            await RunAsync("apt-get", ["update"], folder);
            (exit, error) = await TryRunAsync("apt-get", ["download", package], folder);
        }

        return exit == 0 && FindDeb(folder, package) is { } deb
            ? deb
            : throw new AptUnavailableException($"apt-get download {package} failed: {error.Trim()}");
    }

    private static async Task RunAsync(string program, string[] arguments, string folder)
    {
        var (exit, error) = await TryRunAsync(program, arguments, folder);
        if (exit != 0)
        {
            throw new AptUnavailableException($"{program} {string.Join(' ', arguments)} exited with {exit}: {error.Trim()}");
        }
    }

    private static async Task<(int Exit, string Error)> TryRunAsync(string program, string[] arguments, string folder)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new AptUnavailableException($"{program} could not be started.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new AptUnavailableException($"{program} is not available ({e.Message}): this benchmark fetches its PDFs from Debian packages with apt-get and dpkg.");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await output;
            await process.WaitForExitAsync();
            return (process.ExitCode, error);
        }
    }
}
