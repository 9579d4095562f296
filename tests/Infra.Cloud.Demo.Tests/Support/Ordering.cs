using Xunit.Abstractions;
using Xunit.Sdk;

namespace Infra.Cloud.Demo.Tests.Support;

/// <summary>The step a test is in the newcomer's story: make cloud first, make cloud-purge last.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int order) : Attribute
{
    public int Order { get; } = order;
}

/// <summary>Runs a class's tests by their <see cref="StepAttribute"/>: the cloud is one shared story.</summary>
public sealed class ByStep : ITestCaseOrderer
{
    public const string Name = "Infra.Cloud.Demo.Tests.Support.ByStep";
    public const string Assembly = "Infra.Cloud.Demo.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.GetCustomAttributes(typeof(StepAttribute).AssemblyQualifiedName)
            .FirstOrDefault()?.GetConstructorArguments().Cast<int>().First() ?? int.MaxValue);
}
