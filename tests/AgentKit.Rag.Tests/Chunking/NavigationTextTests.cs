using AgentKit.Rag.Chunking;

namespace AgentKit.Rag.Tests.Chunking;

public sealed class NavigationTextTests
{
    [Theory]
    [InlineData("Contents 1 Introduction 9 1.1 LP problem . . . . . . . . . . . . . 9 1.2 MIP problem . . . . . . . . . . . . 10 1.3 Using the package . . . . . . . . . . . 10 1.3.1 Brief example . . . . . . . . . . 10 1.3.2 Compiling . . . . . . . . . . . 13")]
    [InlineData("Table of contents A.2 Standard Fonts and Colors . . . . . . . . . 133 A.3 Py2pdf . . . . . . . . . 133 A.4 Gadflypaper . . . . . . . . . 134 A.5 Pythonpoint . . . . . . . . 134")]
    [InlineData("R Reading data from files ........................ 33 Recycling rule............................... 9, 22 Regular sequences............................... 9 Removing objects ............................... 6 Robust regression.............................. 67")]
    [InlineData("Index abs, 12 acos, 45 address, 3, 17, 200 agent, 5 alias, 88 append, 14, 19 array, 7 assert, 61 atan, 45 attach, 32")]
    [InlineData("Chapter 1 Getting started … 1 Chapter 2 Installing … 7 Chapter 3 Configuration … 15 Chapter 4 Troubleshooting … 31")]
    public void IsNavigation_TablesOfContentsAndIndexes_AreRecognised(string text) =>
        Assert.True(NavigationText.IsNavigation(text));

    [Theory]
    [InlineData("The routine glp_intopt is a driver to the MIP solver based on the branch-and-cut method, which is a hybrid of branch-and-bound and cutting plane methods. See section 2.10.5 on page 58 and the example on page 61.")]
    [InlineData("In R, if x is a list, then x[i] <- NULL and x[[i]] <- NULL remove the specified elements from x. The first of these is incompatible with S, where it is a no-op. R uses lexical scoping, as described in chapter 3 and in appendix 2.")]
    [InlineData("x <- c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) y <- c(3, 5, 7, 9, 11, 13, 15, 17) plot(x[1:8], y)")]
    [InlineData("Sepal.Length Sepal.Width Petal.Length 5.1 3.5 1.4 4.9 3.0 1.4 4.7 3.2 1.3 4.6 3.1 1.5 5.0 3.6 1.4")]
    [InlineData("Wait... the solver stopped... then it resumed after 5 seconds, and again after 10.")]
    [InlineData("")]
    public void IsNavigation_ProseCodeAndTables_AreContent(string text) =>
        Assert.False(NavigationText.IsNavigation(text));
}
