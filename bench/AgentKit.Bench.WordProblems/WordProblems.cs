using System.Globalization;

namespace AgentKit.Bench.WordProblems;

/// <summary>A generated arithmetic word problem with its answer, the program that computes it, and plausible wrong answers.</summary>
/// <param name="Id">Its number, written into the text ("Problem #12:") so scripted models can find it.</param>
/// <param name="Text">The question.</param>
/// <param name="Answer">The right answer.</param>
/// <param name="Program">A correct JavaScript program that prints the answer.</param>
/// <param name="Wrong">Wrong answers a careless solver reaches (a wrong operation, a step forgotten), all different from the answer.</param>
internal sealed record WordProblem(int Id, string Text, long Answer, string Program, IReadOnlyList<long> Wrong);

/// <summary>Generates problems from templates with seeded numbers; the answers are computed here, the checker compares exactly.</summary>
internal static class WordProblemGenerator
{
    private static readonly string[] Names = ["Olivia", "Noah", "Ama", "Kenji", "Lucía", "Farid", "Mia", "Tomás"];
    private static readonly string[] Items = ["apples", "stickers", "marbles", "pencils", "cards", "stamps"];

    public static IReadOnlyList<WordProblem> Generate(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(1, count).Select(id => Make(id, random)).ToList();
    }

    private static WordProblem Make(int id, Random r)
    {
        var name = Names[r.Next(Names.Length)];
        var item = Items[r.Next(Items.Length)];
        var head = string.Create(CultureInfo.InvariantCulture, $"Problem #{id}: ");
        switch (r.Next(4))
        {
            case 0:
            {
                int a = r.Next(5, 60), b = r.Next(2, 9), c = r.Next(3, 13), d = r.Next(1, 20);
                return Problem(id, head + $"{name} has {a} {item}. {name} buys {b} packs of {c} {item} each and gives away {d}. How many {item} does {name} have now?",
                    $"const start = {a};\nconst bought = {b} * {c};\nconst given = {d};\nconsole.log(start + bought - given);",
                    a + (b * c) - d, [a + b + c - d, a + (b * c) + d, (b * c) - d]);
            }

            case 1:
            {
                int price = r.Next(2, 15), n = r.Next(2, 9), bill = ((price * n / 10) + 1 + r.Next(0, 3)) * 10;
                return Problem(id, head + $"A shop sells {item} at {price} dollars each. {name} buys {n} of them and pays with {bill} dollars. How many dollars of change does {name} get?",
                    $"const cost = {price} * {n};\nconsole.log({bill} - cost);",
                    bill - (price * n), [bill - price - n, price * n, bill - (price * (n - 1))]);
            }

            case 2:
            {
                int s1 = r.Next(30, 90), h1 = r.Next(2, 6), s2 = r.Next(20, 80), h2 = r.Next(1, 5);
                return Problem(id, head + $"A train travels at {s1} km per hour for {h1} hours, then at {s2} km per hour for {h2} hours. How many km does it travel in total?",
                    $"const first = {s1} * {h1};\nconst second = {s2} * {h2};\nconsole.log(first + second);",
                    (s1 * h1) + (s2 * h2), [(s1 + s2) * (h1 + h2), (s1 * h1) + s2, ((s1 + s2) / 2) * (h1 + h2) + 1]);
            }

            default:
            {
                int w = r.Next(5, 40), n = r.Next(3, 12), x = r.Next(10, 60);
                return Problem(id, head + $"{name} saves {w} dollars every week for {n} weeks, then spends {x} dollars on a gift. How many dollars does {name} have left?",
                    $"const saved = {w} * {n};\nconsole.log(saved - {x});",
                    (w * n) - x, [w + n - x, (w * n) + x, w * (n - 1) - x]);
            }
        }
    }

    private static WordProblem Problem(int id, string text, string program, long answer, long[] wrong)
    {
        // Distinct wrong answers; a template whose mistake happens to give the right number is nudged off it.
        var distinct = new List<long>();
        foreach (var w in wrong)
        {
            var value = w;
            while (value == answer || distinct.Contains(value))
            {
                value++;
            }

            distinct.Add(value);
        }

        return new WordProblem(id, text, answer, program, distinct);
    }
}
