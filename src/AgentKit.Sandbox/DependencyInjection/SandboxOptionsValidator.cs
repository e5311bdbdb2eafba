using Microsoft.Extensions.Options;

namespace AgentKit.Sandbox;

/// <summary>Checks <see cref="SandboxOptions"/> at start, naming the configuration key that is out of range.</summary>
internal sealed class SandboxOptionsValidator : IValidateOptions<SandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentOutOfRangeException e)
        {
            return ValidateOptionsResult.Fail($"{SandboxOptions.SectionName}:{e.ParamName}: {e.Message.Split('\n')[0]}");
        }
    }
}
