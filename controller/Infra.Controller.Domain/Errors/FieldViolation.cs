namespace Infra.Controller.Domain.Errors;

/// <summary>One invalid field: its path in the request ("subnets[1].cidr") and what to do about it.</summary>
public sealed record FieldViolation(string Field, string Description)
{
    public override string ToString() => $"{Field}: {Description}";
}
