using System.Reflection;
using Google.Protobuf;
using Infra.Controller.Domain.Errors;
using Infra.Controller.Domain.Validation;

namespace Infra.Controller.Domain.Tests;

/// <summary>Conventions kept as tests: every northbound request has a parser, and every parser returns a closed command.</summary>
public class ConventionTests
{
    static readonly Assembly Domain = typeof(Violations).Assembly;
    static readonly Assembly Contract = typeof(Infra.V1.CreateTenantRequest).Assembly;

    static IEnumerable<MethodInfo> Parsers() => Domain.GetTypes()
        .Where(t => t.Namespace == "Infra.Controller.Domain.Validation" && t.IsAbstract && t.IsSealed)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(ValidationResult<>));

    /// <summary>Northbound inputs: *Request messages of infra.v1 (the southbound session has its own parsing)
    /// plus the ImportImageHeader that opens an import stream.</summary>
    public static TheoryData<string> NorthboundRequests => new(Contract.GetTypes()
        .Where(t => t.Namespace == "Infra.V1" && typeof(IMessage).IsAssignableFrom(t) && !t.IsNested)
        .Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal) || t.Name == "ImportImageHeader")
        .Where(t => t.Name != "PageRequest" && !IsSouthbound(t)) // PageRequest is part of List requests
        .Select(t => t.Name));

    static bool IsSouthbound(Type t) =>
        Infra.V1.SouthboundReflection.Descriptor.MessageTypes.Any(m => m.ClrType == t);

    [Theory]
    [MemberData(nameof(NorthboundRequests))]
    public void EveryNorthboundRequest_HasAParser(string name)
    {
        var type = Contract.GetType($"Infra.V1.{name}")!;
        Assert.Contains(Parsers(), m => m.GetParameters() is [var p] && p.ParameterType == type);
    }

    [Fact]
    public void EveryParser_ReturnsASealedRecordCommand()
    {
        foreach (var m in Parsers())
        {
            var command = m.ReturnType.GetGenericArguments()[0];
            Assert.True(command.IsSealed, $"{command.Name} (from {m.DeclaringType!.Name}.{m.Name}) must be sealed");
            Assert.NotNull(command.GetMethod("<Clone>$")); // records have a compiler-generated clone
            Assert.DoesNotContain(command.GetProperties(), p => typeof(IMessage).IsAssignableFrom(p.PropertyType));
        }
    }

    /// <summary>Field paths are proto field names (snake_case) with [index] for repeated fields, so
    /// clients can point at the input; descriptions are non-empty advice.</summary>
    [Fact]
    public void EveryParser_OnAnEmptyRequest_ReportsWellFormedPaths()
    {
        var path = new System.Text.RegularExpressions.Regex(@"^[a-z][a-z0-9_]*(\[\d+\])?(\.[a-z][a-z0-9_]*(\[\d+\])?)*$");
        var checkedViolations = 0;
        foreach (var m in Parsers().Where(m => m.GetParameters() is [var p] && typeof(IMessage).IsAssignableFrom(p.ParameterType)))
        {
            var request = Activator.CreateInstance(m.GetParameters()[0].ParameterType);
            dynamic result = m.Invoke(null, [request])!;
            foreach (FieldViolation v in result.Violations)
            {
                Assert.Matches(path, v.Field);
                Assert.False(string.IsNullOrWhiteSpace(v.Description), $"{m.DeclaringType!.Name}.{m.Name}: {v.Field} has no description");
                checkedViolations++;
            }
        }
        Assert.True(checkedViolations > 40, $"only {checkedViolations} violations were checked");
    }
}
