using Fluid.Values;

namespace AgentKit.Prompts.Rendering;

/// <summary>Checks the inputs a caller gives against the declarations and turns them into template values.</summary>
internal static class InputBinder
{
    public static Dictionary<string, FluidValue> Bind(PromptTemplate prompt, IReadOnlyDictionary<string, object?> inputs)
    {
        foreach (var name in inputs.Keys)
        {
            if (!prompt.Inputs.ContainsKey(name))
            {
                var declared = prompt.Inputs.Count == 0 ? "it declares none" : "it declares " + string.Join(", ", prompt.Inputs.Keys.Order(StringComparer.Ordinal));
                throw new PromptException($"unknown input: the prompt does not declare it ({declared}). Declare it under 'inputs' or stop sending it.", prompt.FilePath, 0, name);
            }
        }

        var values = new Dictionary<string, FluidValue>(StringComparer.Ordinal);
        foreach (var input in prompt.Inputs.Values)
        {
            var given = inputs.TryGetValue(input.Name, out var value);
            if (input.Required && (!given || value is null))
            {
                var description = input.Description is { Length: > 0 } d ? $" ({d})" : "";
                throw new PromptException($"missing required input of type {InputTypes.Name(input.Type)}{description}.", prompt.FilePath, input.Line, input.Name);
            }

            if (!given)
            {
                value = input.Default;
            }

            if (value is not null && InputTypes.Describe(input.Type, value) is { } mismatch)
            {
                throw new PromptException($"type mismatch: the value is {mismatch}.", prompt.FilePath, input.Line, input.Name);
            }

            try
            {
                values[input.Name] = TemplateValues.From(value, input.Name);
            }
            catch (InvalidDataException e)
            {
                throw new PromptException(e.Message, prompt.FilePath, input.Line, input.Name, e);
            }
        }

        return values;
    }
}
