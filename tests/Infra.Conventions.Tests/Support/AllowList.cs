namespace Infra.Conventions.Tests.Support;

/// <summary>An allow-list file beside the tests: '#' comments, then one "path: reason" per line. A
/// line without a reason is a problem, not an entry, so every exception says why it exists.</summary>
public sealed record AllowList(IReadOnlyDictionary<string, string> Entries, IReadOnlyList<string> Problems)
{
    public static AllowList Read(string fileName) =>
        Parse(fileName, File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, fileName)));

    public static AllowList Parse(string fileName, IEnumerable<string> lines)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        var n = 0;
        foreach (var raw in lines)
        {
            n++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            var path = colon < 0 ? line : line[..colon].Trim();
            var reason = colon < 0 ? "" : line[(colon + 2)..].Trim();
            if (reason.Length == 0) problems.Add($"{fileName}:{n}: '{line}' has no reason; write 'path: why it stays'");
            else if (!entries.TryAdd(path, reason)) problems.Add($"{fileName}:{n}: {path} is listed twice");
        }
        return new AllowList(entries, problems);
    }
}
