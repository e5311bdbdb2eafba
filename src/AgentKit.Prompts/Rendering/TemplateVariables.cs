using Fluid;
using Fluid.Ast;

namespace AgentKit.Prompts.Rendering;

/// <summary>Finds the root variables a template reads that it does not define itself.</summary>
internal sealed class TemplateVariables : AstVisitor
{
    private static readonly string[] BuiltIns = ["forloop", "tablerowloop", "empty", "blank", "nil", "null", "true", "false"];

    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly HashSet<string> _defined = new(BuiltIns, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Collect(IFluidTemplate template)
    {
        var visitor = new TemplateVariables();
        visitor.VisitTemplate(template);
        visitor._read.ExceptWith(visitor._defined);
        return visitor._read;
    }

    protected override Expression VisitMemberExpression(MemberExpression memberExpression)
    {
        if (memberExpression.Segments.Count > 0 && memberExpression.Segments[0] is IdentifierSegment root)
        {
            _read.Add(root.Identifier);
        }

        return base.VisitMemberExpression(memberExpression);
    }

    protected override Statement VisitForStatement(ForStatement forStatement)
    {
        _defined.Add(forStatement.Identifier);
        return base.VisitForStatement(forStatement);
    }

    protected override Statement VisitAssignStatement(AssignStatement assignStatement)
    {
        _defined.Add(assignStatement.Identifier);
        return base.VisitAssignStatement(assignStatement);
    }

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
    {
        _defined.Add(captureStatement.Identifier);
        return base.VisitCaptureStatement(captureStatement);
    }

    protected override Statement VisitIncrementStatement(IncrementStatement incrementStatement)
    {
        _defined.Add(incrementStatement.Identifier);
        return base.VisitIncrementStatement(incrementStatement);
    }

    protected override Statement VisitDecrementStatement(DecrementStatement decrementStatement)
    {
        _defined.Add(decrementStatement.Identifier);
        return base.VisitDecrementStatement(decrementStatement);
    }
}
