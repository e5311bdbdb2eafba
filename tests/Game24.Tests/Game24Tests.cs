using Game24.Puzzle;

namespace Game24.Tests;

public sealed class Game24Tests
{
    [Theory]
    [InlineData("(6 - 4) * (8 + 4)", new[] { 4, 4, 6, 8 }, true)]
    [InlineData("8 / (3 - 8 / 3)", new[] { 3, 3, 8, 8 }, true)]
    [InlineData("(6 - 4) * (8 + 4) = 24", new[] { 4, 4, 6, 8 }, true)]
    [InlineData("(6 - 4) * (8 + 4) = 25", new[] { 4, 4, 6, 8 }, false)]
    [InlineData("6 * 4", new[] { 4, 4, 6, 8 }, false)]
    [InlineData("(6 - 4) * (8 + 4) + 0", new[] { 4, 4, 6, 8 }, false)]
    [InlineData("4 * 6 * 8 / 8", new[] { 4, 6, 8, 8 }, true)]
    [InlineData("4 * 6 * (8 - 8)", new[] { 4, 6, 8, 8 }, false)]
    [InlineData("4 * 6 / (8 - 8)", new[] { 4, 6, 8, 8 }, false)]
    [InlineData("(6 - 4) * (8 + 4", new[] { 4, 4, 6, 8 }, false)]
    public void Check_IsExact_AndUsesEachNumberOnce(string expression, int[] numbers, bool expected) =>
        Assert.Equal(expected, Game24Expression.Check(numbers, expression));

    [Fact]
    public void StepParse_AcceptsTrueSteps_RejectsWrongArithmeticAndUnavailableNumbers()
    {
        List<Rational> available = [4, 6, 8, 8];
        Assert.True(Game24Step.TryParse(available, "1. 4 + 8 = 12 (left: 6 8 12)", out var step));
        Assert.Equal("4 + 8 = 12 (left: 6 8 12)", step!.ToString());
        Assert.True(Game24Step.TryParse(available, "8 / 6 = 4/3 (left: 4/3 4 8)", out step));
        Assert.Equal([new Rational(4, 3), 4, 8], step!.Remaining);
        Assert.False(Game24Step.TryParse(available, "4 + 8 = 13 (left: 6 8 13)", out _));
        Assert.False(Game24Step.TryParse(available, "4 + 5 = 9 (left: 6 8 8 9)", out _));
        Assert.False(Game24Step.TryParse(available, "4 + 8 = 12 (left: 6 12)", out _));
        Assert.False(Game24Step.TryParse(available, "4 * 4 = 16 (left: 6 8 16)", out _));
        Assert.False(Game24Step.TryParse(available, "no step here", out _));
    }

    [Fact]
    public void Task_FollowsStepsToASolution_AndBuildsTheCheckedExpression()
    {
        var task = new Game24Task([4, 9, 10, 13]);
        var state = task.InitialState;
        foreach (var line in new[] { "13 - 9 = 4 (left: 4 4 10)", "10 - 4 = 6 (left: 4 6)", "4 * 6 = 24 (left: 24)" })
        {
            state = Assert.Single(task.ParseProposals(state, line));
        }

        Assert.True(task.IsSolution(state));
        Assert.Equal("(13 - 9) * (10 - 4)", task.Answer(state));
        Assert.True(Game24Expression.Check(task.Numbers, task.Answer(state)));
        Assert.False(task.IsSolution(task.InitialState));
        Assert.Equal("4 4 10", task.StateKey(task.ParseProposals(task.InitialState, "13 - 9 = 4 (left: 4 4 10)")[0]));
    }

    [Theory]
    [InlineData(new[] { 4, 4, 6, 8 }, true)]
    [InlineData(new[] { 1, 1, 1, 1 }, false)]
    [InlineData(new[] { 3, 3, 8, 8 }, true)]
    [InlineData(new[] { 1, 1, 2, 3 }, false)]
    public void Solver_FindsACheckedSolution_OrNone(int[] numbers, bool solvable)
    {
        var solution = Game24Solver.Solve(numbers);
        Assert.Equal(solvable, solution is not null);
        if (solution is not null)
        {
            Assert.True(Game24Expression.Check(numbers, solution), solution);
        }
    }
}
