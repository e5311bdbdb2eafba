using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AgentKit.Cost.Cascade;
using AgentKit.Prompts;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Bench.Cost;

/// <summary>
/// The cascade on oracle-backed scripted models of known accuracy and cost per question type (stated below):
/// each model answers a question right with its accuracy for the question's type (a seeded draw per model and
/// question), else with one of three wrong answers. Scorers: the real <see cref="JudgeScorer"/> and its prompt file
/// over a scripted judge that knows the right answer and reports it with noise, and the real
/// <see cref="AgreementScorer"/> drawing 4 more samples. Prints the cost–accuracy curve over thresholds and writes an SVG.
/// </summary>
internal static partial class CascadeBenchmark
{
    // Question types: (name, input tokens, output tokens, accuracy of small, medium, large).
    private static readonly (string Type, int Input, int Output, double[] Accuracy)[] Types =
    [
        ("lookup", 180, 20, [0.92, 0.95, 0.97]),
        ("arithmetic", 120, 40, [0.70, 0.86, 0.95]),
        ("multi-step", 400, 160, [0.40, 0.66, 0.90]),
        ("code", 600, 300, [0.55, 0.75, 0.92]),
    ];

    // Per million input/output tokens (the small/large ratio of today's hosted small and flagship models).
    private static readonly (string Name, ModelPrice Price)[] Models =
    [
        ("small", new ModelPrice(0.15m, 0.60m)),
        ("medium", new ModelPrice(0.80m, 3.20m)),
        ("large", new ModelPrice(5.00m, 15.00m)),
    ];

    private const double JudgeNoise = 0.15;

    public static async Task RunAsync(int questionsPerType, string svgPath)
    {
        var questions = Enumerable.Range(0, questionsPerType * Types.Length).Select(i => new Question(i, Types[i % Types.Length].Type)).ToList();
        using var prompts = new PromptRegistry(new PromptRegistryOptions { WatchForChanges = false });
        Console.WriteLine($"Cascade: {questions.Count} questions ({questionsPerType} per type), scripted oracle models:");
        foreach (var (type, input, output, accuracy) in Types)
        {
            Console.WriteLine($"  {type,-10} {input} in / {output} out tokens; accuracy small {accuracy[0]:F2}, medium {accuracy[1]:F2}, large {accuracy[2]:F2}");
        }

        Console.WriteLine($"  prices per 1M tokens in/out: {string.Join(", ", Models.Select(m => $"{m.Name} {m.Price.InputPerMillionTokens}/{m.Price.OutputPerMillionTokens}"))}; judge: the small model's price, 250 in / 30 out tokens, noise σ {JudgeNoise}");

        var singles = new List<(string Name, double Accuracy, decimal Cost)>();
        for (var m = 0; m < Models.Length; m++)
        {
            var client = ModelClient(m);
            var (accuracy, cost) = await EvaluateAsync(client, questions, r => Models[m].Price.CostOf(r.Usage));
            singles.Add((Models[m].Name, accuracy, cost));
        }

        var large = singles[^1];
        foreach (var single in singles)
        {
            Console.WriteLine($"  single {single.Name,-6}: accuracy {single.Accuracy:F3}, cost {single.Cost:F4} ({single.Cost / large.Cost:F3}x large)");
        }

        var curves = new Dictionary<string, List<(double Threshold, double Accuracy, double RelativeCost)>>();
        foreach (var scorerName in new[] { "judge", "agreement" })
        {
            var curve = curves[scorerName] = [];
            Console.WriteLine($"Cascade small → medium → large, scorer {scorerName}:");
            Console.WriteLine("  threshold | accuracy | vs large | cost | vs large | answered by small/medium/large");
            foreach (var threshold in new[] { 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 })
            {
                var cascade = new ModelCascade(Enumerable.Range(0, Models.Length).Select(m => new CascadeStep(Models[m].Name, ModelClient(m), Models[m].Price)
                {
                    Scorer = m == Models.Length - 1 ? null : scorerName == "judge"
                        ? new JudgeScorer(new OracleJudge(m), prompts, judgePrice: Models[0].Price)
                        : new AgreementScorer(samples: 4),
                    Threshold = threshold,
                }));
                var answeredBy = new Dictionary<string, int>();
                var (accuracy, cost) = await EvaluateAsync(cascade, questions, r =>
                {
                    var result = (CascadeResult)r.AdditionalProperties![CascadeResult.ResponsePropertyKey]!;
                    answeredBy[result.AnsweredBy] = answeredBy.GetValueOrDefault(result.AnsweredBy) + 1;
                    return result.Cost;
                });
                var relative = (double)(cost / large.Cost);
                curve.Add((threshold, accuracy, relative));
                var meets = accuracy >= 0.98 * large.Accuracy && relative <= 0.4 ? "  ✔ ≥ 0.98x accuracy at ≤ 0.4x cost" : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {threshold,9:F1} | {accuracy,8:F3} | {accuracy / large.Accuracy,7:F3}x | {cost,4:F4} | {relative,7:F3}x | {answeredBy.GetValueOrDefault("small")}/{answeredBy.GetValueOrDefault("medium")}/{answeredBy.GetValueOrDefault("large")}{meets}"));
            }
        }

        File.WriteAllText(svgPath, Svg(curves, singles.Select(s => (s.Name, s.Accuracy, (double)(s.Cost / large.Cost))).ToList()));
        Console.WriteLine($"Chart: {Path.GetFullPath(svgPath)}");
    }

    private static async Task<(double Accuracy, decimal Cost)> EvaluateAsync(IChatClient client, List<Question> questions, Func<ChatResponse, decimal> costOf)
    {
        var right = 0;
        decimal cost = 0;
        foreach (var question in questions)
        {
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, question.Text)]);
            right += response.Text == question.Answer ? 1 : 0;
            cost += costOf(response);
        }

        return (right / (double)questions.Count, cost);
    }

    /// <summary>Model m answers a question right with its accuracy for the type; a sample's draw is seeded by model, question and sample number.</summary>
    private static ScriptedChatClient ModelClient(int m)
    {
        var samples = new Dictionary<int, int>();
        return new ScriptedChatClient((messages, options) =>
        {
            var question = Question.Parse(messages[^1].Text);
            var type = Types.Single(t => t.Type == question.Type);
            int sample;
            lock (samples)
            {
                // The first call for a question is its answer; sampled calls (temperature set) are further draws.
                sample = options?.Temperature is null ? 0 : samples[question.Id] = samples.GetValueOrDefault(question.Id) + 1;
            }

            var random = new Random(Seed(m, question.Id, sample));
            var text = random.NextDouble() < type.Accuracy[m] ? question.Answer : $"wrong-{question.Id}-{random.Next(3)}";
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { Usage = new UsageDetails { InputTokenCount = type.Input, OutputTokenCount = type.Output } };
        });
    }

    private sealed record Question(int Id, string Type)
    {
        public string Text => $"Question {Id} ({Type})";

        public string Answer => $"answer-{Id}";

        public static Question Parse(string text)
        {
            var match = QuestionText().Match(text);
            return new Question(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value);
        }
    }

    /// <summary>
    /// A scripted judge behind the real prompt file: it reads the rendered request and answer, knows the right answer,
    /// and scores 8 for a right answer and 3 for a wrong one, plus Gaussian noise (σ 1.5 on the 0–10 scale), seeded.
    /// </summary>
    private sealed class OracleJudge(int step) : DelegatingChatClient(new ScriptedChatClient((messages, _) =>
    {
        var text = messages[^1].Text;
        var question = Question.Parse(text);
        var answer = text[(text.LastIndexOf("Answer:", StringComparison.Ordinal) + 7)..].Trim();
        var random = new Random(Seed(step, question.Id, 99));
        var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var score = Math.Clamp((int)Math.Round((answer == question.Answer ? 8 : 3) + gaussian * JudgeNoise * 10), 0, 10);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, $$"""{"reasoning": "checked", "score": {{score}}}""")) { Usage = new UsageDetails { InputTokenCount = 250, OutputTokenCount = 30 } };
    }));

    private static string Svg(Dictionary<string, List<(double Threshold, double Accuracy, double RelativeCost)>> curves, List<(string Name, double Accuracy, double RelativeCost)> singles)
    {
        const int width = 640, height = 420, left = 60, right = 20, top = 30, bottom = 50;
        var minAccuracy = Math.Floor(Math.Min(singles.Min(s => s.Accuracy), curves.Values.SelectMany(c => c).Min(p => p.Accuracy)) * 20) / 20;
        var maxCost = Math.Ceiling(Math.Max(1.0, curves.Values.SelectMany(c => c).Max(p => p.RelativeCost)) * 5) / 5 + 0.05;
        double X(double cost) => left + (cost / maxCost) * (width - left - right);
        double Y(double accuracy) => height - bottom - (accuracy - minAccuracy) / (1 - minAccuracy) * (height - top - bottom);
        var svg = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        svg.Append(inv, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">""").AppendLine();
        svg.Append(inv, $"""<rect width="{width}" height="{height}" fill="white"/><text x="{left}" y="18" font-size="14">Cascade cost–accuracy over thresholds (scripted oracle models)</text>""").AppendLine();
        svg.Append(inv, $"""<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/><line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>""").AppendLine();
        for (var c = 0.0; c <= maxCost; c += 0.2)
        {
            svg.Append(inv, $"""<text x="{X(c):F1}" y="{height - bottom + 16}" text-anchor="middle">{c:F1}</text>""");
        }

        for (var a = minAccuracy; a <= 1.0001; a += 0.05)
        {
            svg.Append(inv, $"""<text x="{left - 6}" y="{Y(a) + 4:F1}" text-anchor="end">{a:F2}</text>""");
        }

        svg.Append(inv, $"""<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">cost relative to the large model</text>""");
        svg.Append(inv, $"""<text x="16" y="{(top + height - bottom) / 2}" transform="rotate(-90 16 {(top + height - bottom) / 2})" text-anchor="middle">accuracy</text>""").AppendLine();
        svg.Append(inv, $"""<line x1="{X(0.4):F1}" y1="{top}" x2="{X(0.4):F1}" y2="{height - bottom}" stroke="#999" stroke-dasharray="4"/>""");
        svg.Append(inv, $"""<line x1="{left}" y1="{Y(0.98 * singles[^1].Accuracy):F1}" x2="{width - right}" y2="{Y(0.98 * singles[^1].Accuracy):F1}" stroke="#999" stroke-dasharray="4"/>""").AppendLine();
        var colours = new Dictionary<string, string> { ["judge"] = "#d62728", ["agreement"] = "#1f77b4" };
        var legend = 0;
        foreach (var (name, points) in curves)
        {
            var path = string.Join(" ", points.OrderBy(p => p.RelativeCost).Select(p => $"{X(p.RelativeCost):F1},{Y(p.Accuracy):F1}"));
            svg.Append(inv, $"""<polyline fill="none" stroke="{colours[name]}" stroke-width="2" points="{path}"/>""");
            foreach (var p in points)
            {
                svg.Append(inv, $"""<circle cx="{X(p.RelativeCost):F1}" cy="{Y(p.Accuracy):F1}" r="3" fill="{colours[name]}"><title>{name} threshold {p.Threshold:F1}: accuracy {p.Accuracy:F3}, cost {p.RelativeCost:F3}x</title></circle>""");
            }

            svg.Append(inv, $"""<text x="{width - right - 150}" y="{height - bottom - 40 - 16 * legend++}" fill="{colours[name]}">cascade, {name} scorer</text>""").AppendLine();
        }

        foreach (var (name, accuracy, cost) in singles)
        {
            svg.Append(inv, $"""<rect x="{X(cost) - 4:F1}" y="{Y(accuracy) - 4:F1}" width="8" height="8" fill="black"/><text x="{X(cost) + 7:F1}" y="{Y(accuracy) + 14:F1}">{name}</text>""").AppendLine();
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    // HashCode.Combine is randomised per process, and Random's seeded generator correlates nearby seeds: SplitMix64
    // of the three values gives draws that repeat from run to run and are independent of each other.
    private static int Seed(int a, int b, int c)
    {
        var x = (ulong)((a * 1_000_003L) + (b * 7_919L) + c) + 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (int)((x ^ (x >> 31)) & 0x7fffffff);
    }

    [GeneratedRegex(@"Question (\d+) \(([a-z-]+)\)")]
    private static partial Regex QuestionText();
}
