using System.Text;

namespace AgentKit.Sandbox;

/// <summary>What a program prints, capped at <see cref="SandboxOptions.MaxOutputChars"/>: the line that would pass the cap stops the program.</summary>
internal sealed class OutputBuffer(int maxChars)
{
    private readonly StringBuilder _text = new();

    public void AppendLine(string line)
    {
        if (_text.Length + line.Length + 1 > maxChars)
        {
            // Keep what fits, so the host sees where the program was when it stopped.
            _text.Append(line.AsSpan(0, Math.Max(0, maxChars - _text.Length)));
            throw new SandboxLimitExceededException(
                SandboxLimit.Output,
                $"The program printed more than {maxChars} characters (AgentKit:Sandbox:MaxOutputChars); print less, or a summary.",
                ToString());
        }

        _text.Append(line).Append('\n');
    }

    public override string ToString() => _text.ToString();
}
