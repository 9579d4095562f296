namespace Infra.Controller.Domain.Model;

/// <summary>A parsed page request: Size is always 1-1000; Token is null for the first page.</summary>
public sealed record Page(int Size, string? Token)
{
    public const int DefaultSize = 100;
    public const int MaxSize = 1000;
    public static Page First { get; } = new(DefaultSize, null);
}
