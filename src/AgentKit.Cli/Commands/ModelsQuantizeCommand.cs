using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using AgentKit.LlamaCpp.Models;

namespace AgentKit.Cli.Commands;

/// <summary><c>agentkit models quantize IN OUT --type q4_0</c>: a quantized copy of a GGUF model, through llama.cpp's own quantizer.</summary>
internal static class ModelsQuantizeCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("in") { Description = "The GGUF model to quantize (f32, f16 or bf16 weights)." };
        var output = new Argument<string>("out") { Description = "The file to write." };
        var type = new Option<string>("--type", "-t") { Description = "The weight format: q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k_m, q4_k_s, q4_k_m, q5_k_s, q5_k_m, q6_k, f16 or bf16.", Required = true };
        var threads = new Option<int?>("--threads") { Description = "Threads (default: the processor count)." };
        var command = new Command("quantize", "Write a quantized copy of a GGUF model (for example a draft model for speculative decoding).") { input, output, type, threads };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, async () =>
        {
            LlamaQuantizationType format;
            try
            {
                format = LlamaQuantizer.ParseType(parse.GetRequiredValue(type));
            }
            catch (ArgumentException e)
            {
                throw new CommandInputException("--type: " + e.Message.Split(" (Parameter")[0]);
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await LlamaQuantizer.QuantizeAsync(parse.GetRequiredValue(input), parse.GetRequiredValue(output), format, parse.GetValue(threads), cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new CommandInputException(e.Message.Split(" (Parameter")[0]);
            }

            var written = new FileInfo(Path.GetFullPath(parse.GetRequiredValue(output)));
            context.Out.Profile.Out.Writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{written.FullName} ({format.ToString().ToLowerInvariant()}, {written.Length / (1024.0 * 1024.0):0.0} MiB, {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)"));
            return ExitCodes.Success;
        }));
        return command;
    }
}
